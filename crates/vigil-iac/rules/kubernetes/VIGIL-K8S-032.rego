# VIGIL-K8S-032: Pod runs as user 0.
package vigil.rules.k8s_032

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-032",
	"title": "Pod runs as user 0",
	"severity": "HIGH",
	"description": "`runAsUser: 0` in the pod's security context runs every container that does not override it as root.",
	"remediation": "Set the pod's `runAsUser` to a non-zero user ID, and `runAsNonRoot: true`.",
	"references": ["CIS Kubernetes Benchmark 5.2.6", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	lib.pod_security(r).runAsUser == 0
	res := {"msg": sprintf("%s runs its pods as user 0 (root)", [r.id]), "line": lib.line(r.pod_spec.securityContext, "runAsUser"), "resource": r.id}
}
