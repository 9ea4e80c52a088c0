# VIGIL-K8S-029: Binding to anonymous or all users.
package vigil.rules.k8s_029

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-029",
	"title": "Binding to anonymous or all users",
	"severity": "HIGH",
	"description": "Subjects `system:anonymous`, `system:unauthenticated` and `system:authenticated` are everyone who can reach the API server (with any credential, or none): what is bound to them is public.",
	"remediation": "Bind to the users, groups or service accounts that need the role.",
	"references": ["CIS Kubernetes Benchmark 5.1.1", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

# Default bindings the API server itself makes to these groups.
defaults := {"system:basic-user", "system:discovery", "system:public-info-viewer"}

deny contains res if {
	some r in input.resources
	r.kind in {"RoleBinding", "ClusterRoleBinding"}
	not object.get(object.get(r.document, "roleRef", {}), "name", "") in defaults
	some s in object.get(r.document, "subjects", [])
	s.name in {"system:anonymous", "system:unauthenticated", "system:authenticated"}
	res := {"msg": sprintf("%s binds %s to %s", [r.id, r.document.roleRef.name, s.name]), "line": lib.line(s, "name"), "resource": r.id}
}
