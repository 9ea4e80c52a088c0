# VIGIL-K8S-049: RBAC role can change admission webhooks.
package vigil.rules.k8s_049

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-049",
	"title": "RBAC role can change admission webhooks",
	"severity": "MEDIUM",
	"description": "Whoever writes `mutatingwebhookconfigurations` or `validatingwebhookconfigurations` decides what the API server sends where: it can read or alter every object created in the cluster, or switch policy enforcement off.",
	"remediation": "Keep webhook configuration writes to the controller that owns the webhook, ideally limited with `resourceNames`.",
	"references": ["https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some rule in lib.rbac_rules(r)
	some resource in object.get(rule, "resources", [])
	resource in {"mutatingwebhookconfigurations", "validatingwebhookconfigurations"}
	lib.grants_verb(rule, {"create", "update", "patch"})
	count(object.get(rule, "resourceNames", [])) == 0
	res := {"msg": sprintf("%s can write %s", [r.id, resource]), "line": lib.line(rule, "resources"), "resource": r.id}
}
