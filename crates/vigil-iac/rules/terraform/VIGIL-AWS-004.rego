# VIGIL-AWS-004: S3 bucket without a server-side encryption configuration.
package vigil.rules.aws_004

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-004",
	"title": "S3 bucket without a server-side encryption configuration",
	"severity": "LOW",
	"description": "S3 encrypts new objects with S3-managed keys by default, but a bucket without its own encryption configuration cannot use a KMS key whose policy and audit trail you control.",
	"remediation": "Add an `aws_s3_bucket_server_side_encryption_configuration` (or, for AWS provider v3, a `server_side_encryption_configuration` block) using `aws:kms` with a customer-managed key.",
	"references": [
		"CIS AWS Foundations Benchmark v1.4.0 2.1.1",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_server_side_encryption_configuration",
		"https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some b in lib.resources("aws_s3_bucket")
	count(lib.blocks(b.attributes, "server_side_encryption_configuration")) == 0
	not lib.some_unknown("aws_s3_bucket_server_side_encryption_configuration", "bucket")
	not has_config(b)
	res := {"msg": sprintf("%s has no server-side encryption configuration", [b.id]), "resource": b.id}
}

has_config(b) if {
	some c in lib.resources("aws_s3_bucket_server_side_encryption_configuration")
	lib.refers_named(c.attributes.bucket, b, "bucket")
}
