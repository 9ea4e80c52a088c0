# VIGIL-AWS-031: DynamoDB table without point-in-time recovery.
package vigil.rules.aws_031

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-031",
	"title": "DynamoDB table without point-in-time recovery",
	"severity": "MEDIUM",
	"description": "Point-in-time recovery keeps continuous backups for 35 days, so a table damaged by a bad deploy or a malicious write can be restored to any second before it.",
	"remediation": "Add `point_in_time_recovery { enabled = true }`.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/dynamodb_table#point_in_time_recovery",
		"https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_dynamodb_table")
	not pitr(r)
	res := {"msg": sprintf("%s has no point-in-time recovery", [r.id]), "resource": r.id}
}

pitr(r) if {
	some p in lib.blocks(r.attributes, "point_in_time_recovery")
	not lib.off(p, "enabled")
}
