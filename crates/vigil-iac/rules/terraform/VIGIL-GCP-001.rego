# VIGIL-GCP-001: Storage bucket readable by anyone.
package vigil.rules.gcp_001

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-001",
	"title": "Storage bucket readable by anyone",
	"severity": "HIGH",
	"description": "Granting a role on a bucket to allUsers or allAuthenticatedUsers makes its objects readable by anyone on the Internet (or any Google account).",
	"remediation": "Remove the allUsers/allAuthenticatedUsers members; grant roles to specific principals, or serve public content through a CDN with signed URLs.",
	"references": [
		"CIS Google Cloud Platform Foundation Benchmark v2.0.0 5.1",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/storage_bucket_iam",
		"https://cloud.google.com/storage/docs/access-control/making-data-public"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

public := {"allUsers", "allAuthenticatedUsers"}

deny contains res if {
	some r in lib.resources("google_storage_bucket_iam_member")
	r.attributes.member in public
	res := {"msg": sprintf("%s grants %s to %s", [r.id, r.attributes.role, r.attributes.member]), "line": lib.line(r.attributes, "member"), "resource": r.id}
}

deny contains res if {
	some r in lib.resources("google_storage_bucket_iam_binding")
	some m in lib.as_list(lib.get(r.attributes, "members", []))
	m in public
	res := {"msg": sprintf("%s grants %s to %s", [r.id, r.attributes.role, m]), "line": lib.line(r.attributes, "members"), "resource": r.id}
}

deny contains res if {
	some r in lib.resources("google_storage_bucket_acl")
	some e in lib.as_list(lib.get(r.attributes, "role_entity", []))
	is_string(e)
	some p in public
	endswith(e, concat("", [":", p]))
	res := {"msg": sprintf("%s grants %s", [r.id, e]), "line": lib.line(r.attributes, "role_entity"), "resource": r.id}
}
