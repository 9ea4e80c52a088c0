# VIGIL-K8S-024: RBAC role reads Secrets.
package vigil.rules.k8s_024

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-024",
	"title": "RBAC role reads Secrets",
	"severity": "HIGH",
	"description": "`get`, `list` or `watch` on `secrets` hands over every Secret in scope: service account tokens, TLS keys, database passwords; `list` and `watch` return their contents too.",
	"remediation": "Grant access to the named Secrets the subject needs with `resourceNames`, or none.",
	"references": ["CIS Kubernetes Benchmark 5.1.2", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some rule in lib.rbac_rules(r)
	lib.core_group(rule)
	"secrets" in object.get(rule, "resources", [])
	lib.grants_verb(rule, {"get", "list", "watch"})
	count(object.get(rule, "resourceNames", [])) == 0
	res := {"msg": sprintf("%s can read every Secret in its scope", [r.id]), "line": lib.line(rule, "resources"), "resource": r.id}
}
