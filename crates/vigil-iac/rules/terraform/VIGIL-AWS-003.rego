# VIGIL-AWS-003: S3 bucket without a public access block.
package vigil.rules.aws_003

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-003",
	"title": "S3 bucket without a public access block",
	"severity": "MEDIUM",
	"description": "Without Block Public Access (on the bucket or the account), a later ACL or bucket policy change can make the bucket's data public.",
	"remediation": "Add an `aws_s3_bucket_public_access_block` for the bucket with all four settings true, or an `aws_s3_account_public_access_block`.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 2.1.5",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_public_access_block"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some b in lib.resources("aws_s3_bucket")
	count(lib.resources("aws_s3_account_public_access_block")) == 0
	not lib.some_unknown("aws_s3_bucket_public_access_block", "bucket")
	not has_block(b)
	res := {"msg": sprintf("%s has no public access block", [b.id]), "resource": b.id}
}

has_block(b) if {
	some p in lib.resources("aws_s3_bucket_public_access_block")
	lib.refers_named(p.attributes.bucket, b, "bucket")
}
