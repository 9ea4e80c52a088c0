# VIGIL-K8S-016: Wildcard in an RBAC rule.
package vigil.rules.k8s_016

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-016",
	"title": "Wildcard in an RBAC rule",
	"severity": "HIGH",
	"description": "A `*` in a Role's verbs or resources grants everything, including what is added later (new resources, `escalate`, `impersonate`).",
	"remediation": "List the verbs and resources the subject needs.",
	"references": ["CIS Kubernetes Benchmark 5.1.3", "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind in {"Role", "ClusterRole"}
	some rule in object.get(r.document, "rules", [])
	some field in ["verbs", "resources", "apiGroups"]
	"*" in object.get(rule, field, [])
	res := {"msg": sprintf("%s grants * in %s", [r.id, field]), "line": lib.line(rule, field), "resource": r.id}
}
