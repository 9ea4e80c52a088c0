# VIGIL-CFN-027: SNS topic not encrypted with a KMS key.
package vigil.rules.cfn_027

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-027",
	"title": "SNS topic not encrypted with a KMS key",
	"severity": "LOW",
	"description": "SNS stores messages until they are delivered; without a KMS key they are kept without server-side encryption.",
	"remediation": "Set `KmsMasterKeyId` (the AWS managed `alias/aws/sns` or a customer managed key).",
	"references": ["https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::SNS::Topic"
	not lib.has(r.properties, "KmsMasterKeyId")
	res := {"msg": sprintf("SNS topic %s has no KMS key", [r.id]), "line": r.line, "resource": r.id}
}
