# VIGIL-AWS-016: RDS deletion protection disabled.
package vigil.rules.aws_016

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-016",
	"title": "RDS deletion protection disabled",
	"severity": "LOW",
	"description": "Without deletion protection, a mistaken `terraform destroy` or API call deletes the database at once.",
	"remediation": "Set `deletion_protection = true` on production databases.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance",
		"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"aws_db_instance", "aws_rds_cluster"}
	lib.get(r.attributes, "cluster_identifier", null) == null
	lib.off(r.attributes, "deletion_protection")
	res := {"msg": sprintf("%s has no deletion protection", [r.id]), "line": lib.line(r.attributes, "deletion_protection"), "resource": r.id}
}
