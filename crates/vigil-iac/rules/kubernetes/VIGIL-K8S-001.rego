# VIGIL-K8S-001: Privileged container.
package vigil.rules.k8s_001

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-001",
	"title": "Privileged container",
	"severity": "HIGH",
	"description": "A privileged container has every capability of the host's root user and access to its devices; a compromise of it is a compromise of the node.",
	"remediation": "Remove `securityContext.privileged: true`; grant only the capabilities the workload needs.",
	"references": ["CIS Kubernetes Benchmark 5.2.2", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	lib.security(c).privileged == true
	res := {"msg": sprintf("container %q of %s is privileged", [c.name, r.id]), "line": lib.line(c.securityContext, "privileged"), "resource": r.id}
}
