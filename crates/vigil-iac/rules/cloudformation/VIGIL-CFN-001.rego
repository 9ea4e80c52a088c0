# VIGIL-CFN-001: S3 bucket public access block turned off.
package vigil.rules.cfn_001

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-001",
	"title": "S3 bucket public access block turned off",
	"severity": "HIGH",
	"description": "S3 Block Public Access is the guard that keeps ACLs and bucket policies from making objects public by mistake. A template that sets one of its four switches to false lets a later ACL or policy expose the bucket.",
	"remediation": "Set `BlockPublicAcls`, `BlockPublicPolicy`, `IgnorePublicAcls` and `RestrictPublicBuckets` of `PublicAccessBlockConfiguration` to true; serve public content through CloudFront with origin access control instead.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 2.1.4", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::S3::Bucket"
	c := r.properties.PublicAccessBlockConfiguration
	is_object(c)
	not lib.intrinsic(c)
	some k in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]
	lib.false_or_absent(c, k)
	res := {"msg": sprintf("S3 bucket %s does not set %s of its public access block", [r.id, k]), "line": lib.line(c, k), "resource": r.id}
}
