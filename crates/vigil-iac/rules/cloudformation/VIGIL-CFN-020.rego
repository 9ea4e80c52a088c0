# VIGIL-CFN-020: CloudTrail logs not encrypted with a KMS key.
package vigil.rules.cfn_020

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-020",
	"title": "CloudTrail logs not encrypted with a KMS key",
	"severity": "MEDIUM",
	"description": "With a KMS key, reading the trail's logs takes both S3 access and decrypt permission on the key, and every decryption is itself logged.",
	"remediation": "Set `KMSKeyId` to a customer managed key whose policy lets CloudTrail encrypt.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 3.5", "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::CloudTrail::Trail"
	not lib.has(r.properties, "KMSKeyId")
	res := {"msg": sprintf("CloudTrail trail %s does not encrypt its logs with a KMS key", [r.id]), "line": r.line, "resource": r.id}
}
