# VIGIL-CFN-026: SQS queue not encrypted at rest.
package vigil.rules.cfn_026

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-026",
	"title": "SQS queue not encrypted at rest",
	"severity": "MEDIUM",
	"description": "A queue with SQS-managed encryption turned off and no KMS key stores its messages unencrypted.",
	"remediation": "Remove `SqsManagedSseEnabled: false`, or set `KmsMasterKeyId` to a KMS key.",
	"references": ["https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::SQS::Queue"
	lib.is_false(r.properties.SqsManagedSseEnabled)
	not lib.has(r.properties, "KmsMasterKeyId")
	res := {"msg": sprintf("SQS queue %s stores messages unencrypted", [r.id]), "line": lib.line(r.properties, "SqsManagedSseEnabled"), "resource": r.id}
}
