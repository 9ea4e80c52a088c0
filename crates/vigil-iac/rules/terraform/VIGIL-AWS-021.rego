# VIGIL-AWS-021: CloudTrail log file validation disabled.
package vigil.rules.aws_021

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-021",
	"title": "CloudTrail log file validation disabled",
	"severity": "MEDIUM",
	"description": "Log file validation adds signed digests that show whether trail logs were changed or deleted after delivery; without it, tampering with the audit trail goes unnoticed.",
	"remediation": "Set `enable_log_file_validation = true`.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 3.2",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudtrail",
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_cloudtrail")
	lib.off(r.attributes, "enable_log_file_validation")
	res := {"msg": sprintf("%s does not validate its log files", [r.id]), "line": lib.line(r.attributes, "enable_log_file_validation"), "resource": r.id}
}
