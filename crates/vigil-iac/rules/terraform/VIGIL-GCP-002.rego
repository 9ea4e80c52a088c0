# VIGIL-GCP-002: Storage bucket without uniform bucket-level access.
package vigil.rules.gcp_002

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-002",
	"title": "Storage bucket without uniform bucket-level access",
	"severity": "MEDIUM",
	"description": "With fine-grained ACLs, each object can carry its own grants, which are easy to get wrong and hard to audit; uniform bucket-level access makes IAM the only way in.",
	"remediation": "Set `uniform_bucket_level_access = true`.",
	"references": [
		"CIS Google Cloud Platform Foundation Benchmark v2.0.0 5.2",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/storage_bucket#uniform_bucket_level_access",
		"https://cloud.google.com/storage/docs/uniform-bucket-level-access"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("google_storage_bucket")
	lib.off(r.attributes, "uniform_bucket_level_access")
	res := {"msg": sprintf("%s does not use uniform bucket-level access", [r.id]), "line": lib.line(r.attributes, "uniform_bucket_level_access"), "resource": r.id}
}
