# VIGIL-K8S-010: Capabilities not dropped.
package vigil.rules.k8s_010

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-010",
	"title": "Capabilities not dropped",
	"severity": "LOW",
	"description": "Containers start with the runtime's default capabilities (CHOWN, SETUID, NET_RAW, ...); most workloads need none of them.",
	"remediation": "Set `securityContext.capabilities.drop: [\"ALL\"]` and add back what is needed.",
	"references": ["CIS Kubernetes Benchmark 5.2.8", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	not drops_all(c)
	res := {"msg": sprintf("container %q of %s does not drop ALL capabilities", [c.name, r.id]), "line": c.__line__, "resource": r.id}
}

drops_all(c) if {
	some cap in object.get(object.get(lib.security(c), "capabilities", {}), "drop", [])
	upper(cap) == "ALL"
}
