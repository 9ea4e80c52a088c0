# VIGIL-AWS-033: SNS topic not encrypted.
package vigil.rules.aws_033

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-033",
	"title": "SNS topic not encrypted",
	"severity": "LOW",
	"description": "SNS does not encrypt messages at rest unless the topic has a KMS key; messages waiting for delivery are stored in plain text.",
	"remediation": "Set `kms_master_key_id` (for example `alias/aws/sns` or a customer-managed key).",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sns_topic",
		"https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_sns_topic")
	lib.get(r.attributes, "kms_master_key_id", "") == ""
	res := {"msg": sprintf("%s is not encrypted", [r.id]), "resource": r.id}
}
