# VIGIL-K8S-048: RBAC role can reach the kubelet API.
package vigil.rules.k8s_048

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-048",
	"title": "RBAC role can reach the kubelet API",
	"severity": "HIGH",
	"description": "Access to `nodes/proxy` reaches the kubelet API of every node through the API server, without its audit and admission: it can run commands in any pod on them.",
	"remediation": "Remove `nodes/proxy`; monitoring agents need `nodes/metrics` or `nodes/stats`.",
	"references": ["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some rule in lib.rbac_rules(r)
	lib.core_group(rule)
	"nodes/proxy" in object.get(rule, "resources", [])
	count(object.get(rule, "verbs", [])) > 0
	res := {"msg": sprintf("%s can reach the kubelet API (nodes/proxy)", [r.id]), "line": lib.line(rule, "resources"), "resource": r.id}
}
