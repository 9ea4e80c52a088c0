# VIGIL-K8S-047: RBAC role can mint service account tokens.
package vigil.rules.k8s_047

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-047",
	"title": "RBAC role can mint service account tokens",
	"severity": "HIGH",
	"description": "`create` on `serviceaccounts/token` issues tokens for any service account in scope, and with them that account's permissions.",
	"remediation": "Remove the grant; let the kubelet project tokens into the pods that need them.",
	"references": ["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some rule in lib.rbac_rules(r)
	lib.core_group(rule)
	"serviceaccounts/token" in object.get(rule, "resources", [])
	lib.grants_verb(rule, {"create"})
	res := {"msg": sprintf("%s can create tokens for service accounts", [r.id]), "line": lib.line(rule, "resources"), "resource": r.id}
}
