# VIGIL-AWS-022: CloudTrail logs not encrypted with a KMS key.
package vigil.rules.aws_022

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-022",
	"title": "CloudTrail logs not encrypted with a KMS key",
	"severity": "MEDIUM",
	"description": "Encrypting trail logs with a customer-managed KMS key adds a second permission (the key's) to read them, and records every decryption.",
	"remediation": "Set `kms_key_id` to a customer-managed KMS key whose policy lets CloudTrail encrypt.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 3.7",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudtrail",
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_cloudtrail")
	lib.get(r.attributes, "kms_key_id", "") == ""
	res := {"msg": sprintf("%s does not encrypt its logs with a KMS key", [r.id]), "resource": r.id}
}
