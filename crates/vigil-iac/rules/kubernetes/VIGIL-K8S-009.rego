# VIGIL-K8S-009: Capabilities added.
package vigil.rules.k8s_009

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-009",
	"title": "Capabilities added",
	"severity": "MEDIUM",
	"description": "Linux capabilities beyond the runtime's default set (SYS_ADMIN, NET_ADMIN, ...) widen what a compromised container can do to the node.",
	"remediation": "Drop `ALL` and add back only `NET_BIND_SERVICE` when the workload binds a low port.",
	"references": ["CIS Kubernetes Benchmark 5.2.9", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	some cap in object.get(object.get(lib.security(c), "capabilities", {}), "add", [])
	upper(cap) != "NET_BIND_SERVICE"
	res := {"msg": sprintf("container %q of %s adds the capability %s", [c.name, r.id, cap]), "line": lib.line(c.securityContext.capabilities, "add"), "resource": r.id}
}
