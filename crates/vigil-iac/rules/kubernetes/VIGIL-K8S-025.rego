# VIGIL-K8S-025: RBAC role can exec into pods.
package vigil.rules.k8s_025

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-025",
	"title": "RBAC role can exec into pods",
	"severity": "HIGH",
	"description": "`create` (or `get`, over WebSockets) on `pods/exec` or `pods/attach` runs commands in any pod in scope, with that pod's service account, mounted Secrets and network position.",
	"remediation": "Grant exec to people through short-lived, audited access, not to service accounts or standing roles.",
	"references": ["CIS Kubernetes Benchmark 5.1.8", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some rule in lib.rbac_rules(r)
	lib.core_group(rule)
	some sub in object.get(rule, "resources", [])
	sub in {"pods/exec", "pods/attach"}
	lib.grants_verb(rule, {"create", "get"})
	res := {"msg": sprintf("%s can run commands in pods (%s)", [r.id, sub]), "line": lib.line(rule, "resources"), "resource": r.id}
}
