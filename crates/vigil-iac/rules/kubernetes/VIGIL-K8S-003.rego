# VIGIL-K8S-003: Container may run as root.
package vigil.rules.k8s_003

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-003",
	"title": "Container may run as root",
	"severity": "MEDIUM",
	"description": "A container that does not require a non-root user runs as whatever user its image names, often root; root in a container is one kernel bug away from root on the node.",
	"remediation": "Set `runAsNonRoot: true` (pod or container security context) or a non-zero `runAsUser`.",
	"references": ["CIS Kubernetes Benchmark 5.2.6", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	not non_root(r, c)
	res := {"msg": sprintf("container %q of %s may run as root (no runAsNonRoot: true nor non-zero runAsUser)", [c.name, r.id]), "line": c.__line__, "resource": r.id}
}

non_root(_, c) if lib.security(c).runAsNonRoot == true

non_root(_, c) if lib.security(c).runAsUser > 0

non_root(r, c) if {
	lib.pod_security(r).runAsNonRoot == true
	not lib.security(c).runAsNonRoot == false
}

non_root(r, c) if {
	lib.pod_security(r).runAsUser > 0
	not lib.security(c).runAsUser == 0
}
