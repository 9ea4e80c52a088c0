# VIGIL-AWS-002: S3 public access block setting disabled.
package vigil.rules.aws_002

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-002",
	"title": "S3 public access block setting disabled",
	"severity": "HIGH",
	"description": "S3 Block Public Access stops ACLs and bucket policies from exposing data publicly. Each of its four settings closes a different path; one left off reopens it.",
	"remediation": "Set `block_public_acls`, `block_public_policy`, `ignore_public_acls` and `restrict_public_buckets` to true.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 2.1.5",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_public_access_block",
		"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

deny contains res if {
	some r in input.resources
	r.type in {"aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"}
	some s in settings
	lib.off(r.attributes, s)
	res := {"msg": sprintf("%s does not set %s", [r.id, s]), "line": lib.line(r.attributes, s), "resource": r.id}
}
