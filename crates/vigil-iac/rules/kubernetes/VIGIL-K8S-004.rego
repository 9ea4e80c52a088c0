# VIGIL-K8S-004: Container runs as user 0.
package vigil.rules.k8s_004

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-004",
	"title": "Container runs as user 0",
	"severity": "HIGH",
	"description": "`runAsUser: 0` runs the container's processes as root explicitly.",
	"remediation": "Set `runAsUser` to a non-zero user ID that the image provides.",
	"references": ["CIS Kubernetes Benchmark 5.2.6", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	lib.security(c).runAsUser == 0
	res := {"msg": sprintf("container %q of %s runs as user 0 (root)", [c.name, r.id]), "line": lib.line(c.securityContext, "runAsUser"), "resource": r.id}
}
