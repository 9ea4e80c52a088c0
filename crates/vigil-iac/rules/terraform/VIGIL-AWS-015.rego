# VIGIL-AWS-015: RDS automated backups disabled.
package vigil.rules.aws_015

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-015",
	"title": "RDS automated backups disabled",
	"severity": "MEDIUM",
	"description": "A backup retention period of 0 turns off automated backups and point-in-time restore; data lost to an error or an attack cannot be recovered.",
	"remediation": "Set `backup_retention_period` to at least 7 days.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance",
		"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"aws_db_instance", "aws_rds_cluster"}
	r.attributes.backup_retention_period == 0
	res := {"msg": sprintf("%s keeps no automated backups", [r.id]), "line": lib.line(r.attributes, "backup_retention_period"), "resource": r.id}
}
