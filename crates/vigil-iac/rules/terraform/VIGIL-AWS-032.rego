# VIGIL-AWS-032: SQS queue not encrypted.
package vigil.rules.aws_032

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-032",
	"title": "SQS queue not encrypted",
	"severity": "MEDIUM",
	"description": "Messages often carry personal or business data; a queue with SQS-managed encryption turned off and no KMS key stores them unencrypted.",
	"remediation": "Remove `sqs_managed_sse_enabled = false`, or set `kms_master_key_id`.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sqs_queue",
		"https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_sqs_queue")
	r.attributes.sqs_managed_sse_enabled == false
	lib.get(r.attributes, "kms_master_key_id", "") == ""
	res := {"msg": sprintf("%s is not encrypted", [r.id]), "line": lib.line(r.attributes, "sqs_managed_sse_enabled"), "resource": r.id}
}
