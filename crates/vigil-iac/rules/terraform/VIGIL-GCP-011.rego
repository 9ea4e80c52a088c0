# VIGIL-GCP-011: Project owner or editor role granted to a user.
package vigil.rules.gcp_011

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-011",
	"title": "Project owner or editor role granted to a user",
	"severity": "MEDIUM",
	"description": "The basic Owner and Editor roles grant nearly every permission in the project; held by individual users they are hard to review and a phished account compromises the project.",
	"remediation": "Grant users predefined or custom roles for their tasks, through groups; keep Owner to a few break-glass accounts.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/google_project_iam",
		"https://cloud.google.com/iam/docs/understanding-roles#basic"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

basic := {"roles/owner", "roles/editor"}

deny contains res if {
	some r in lib.resources("google_project_iam_member")
	r.attributes.role in basic
	is_string(r.attributes.member)
	startswith(r.attributes.member, "user:")
	res := {"msg": sprintf("%s grants %s to %s", [r.id, r.attributes.role, r.attributes.member]), "line": lib.line(r.attributes, "role"), "resource": r.id}
}

deny contains res if {
	some r in lib.resources("google_project_iam_binding")
	r.attributes.role in basic
	some m in lib.as_list(lib.get(r.attributes, "members", []))
	is_string(m)
	startswith(m, "user:")
	res := {"msg": sprintf("%s grants %s to %s", [r.id, r.attributes.role, m]), "line": lib.line(r.attributes, "members"), "resource": r.id}
}
