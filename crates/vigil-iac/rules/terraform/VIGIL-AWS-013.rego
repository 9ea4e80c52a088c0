# VIGIL-AWS-013: RDS storage not encrypted.
package vigil.rules.aws_013

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-013",
	"title": "RDS storage not encrypted",
	"severity": "HIGH",
	"description": "Unencrypted database storage, snapshots and backups can be read by anyone who obtains a copy of them; encryption cannot be turned on later without rebuilding the instance.",
	"remediation": "Set `storage_encrypted = true` (and `kms_key_id` for a customer-managed key).",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 2.3.1",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance",
		"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"aws_db_instance", "aws_rds_cluster"}
	# An Aurora instance is encrypted through its cluster.
	lib.get(r.attributes, "cluster_identifier", null) == null
	lib.get(r.attributes, "replicate_source_db", null) == null
	lib.off(r.attributes, "storage_encrypted")
	res := {"msg": sprintf("%s does not encrypt its storage", [r.id]), "line": lib.line(r.attributes, "storage_encrypted"), "resource": r.id}
}
