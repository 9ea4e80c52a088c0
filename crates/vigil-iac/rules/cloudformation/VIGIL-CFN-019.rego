# VIGIL-CFN-019: CloudTrail log file validation off.
package vigil.rules.cfn_019

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-019",
	"title": "CloudTrail log file validation off",
	"severity": "MEDIUM",
	"description": "Log file validation writes signed digests of the delivered logs, so that deleting or altering log files afterwards can be detected.",
	"remediation": "Set `EnableLogFileValidation: true`.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 3.2", "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::CloudTrail::Trail"
	lib.false_or_absent(r.properties, "EnableLogFileValidation")
	res := {"msg": sprintf("CloudTrail trail %s does not validate its log files", [r.id]), "line": lib.line_or(r.properties, "EnableLogFileValidation", r.line), "resource": r.id}
}
