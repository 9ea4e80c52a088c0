# VIGIL-AWS-014: RDS instance publicly accessible.
package vigil.rules.aws_014

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-014",
	"title": "RDS instance publicly accessible",
	"severity": "HIGH",
	"description": "A publicly accessible instance gets a public DNS name and address; only its security group then stands between the database and the Internet.",
	"remediation": "Set `publicly_accessible = false` and reach the database from within the VPC.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 2.3.3",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_db_instance")
	r.attributes.publicly_accessible == true
	res := {"msg": sprintf("%s is publicly accessible", [r.id]), "line": lib.line(r.attributes, "publicly_accessible"), "resource": r.id}
}
