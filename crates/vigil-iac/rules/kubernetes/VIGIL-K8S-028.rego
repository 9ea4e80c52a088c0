# VIGIL-K8S-028: Binding to cluster-admin.
package vigil.rules.k8s_028

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-028",
	"title": "Binding to cluster-admin",
	"severity": "HIGH",
	"description": "A binding to the `cluster-admin` ClusterRole gives its subjects every permission (in a RoleBinding, every permission in the namespace, Roles and RoleBindings included).",
	"remediation": "Write a role with the permissions the subject needs and bind that.",
	"references": ["CIS Kubernetes Benchmark 5.1.1", "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind in {"RoleBinding", "ClusterRoleBinding"}
	ref := object.get(r.document, "roleRef", {})
	ref.name == "cluster-admin"
	object.get(ref, "kind", "ClusterRole") == "ClusterRole"
	res := {"msg": sprintf("%s binds cluster-admin", [r.id]), "line": lib.line(ref, "name"), "resource": r.id}
}
