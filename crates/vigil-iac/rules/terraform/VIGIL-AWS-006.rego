# VIGIL-AWS-006: S3 bucket without access logging.
package vigil.rules.aws_006

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-006",
	"title": "S3 bucket without access logging",
	"severity": "LOW",
	"description": "Server access logs record every request made to a bucket; without them, reads of sensitive data or abuse of the bucket cannot be investigated.",
	"remediation": "Add an `aws_s3_bucket_logging` for the bucket that delivers its logs to a separate log bucket.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 3.6",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_logging",
		"https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some b in lib.resources("aws_s3_bucket")
	count(lib.blocks(b.attributes, "logging")) == 0
	not lib.some_unknown("aws_s3_bucket_logging", "bucket")
	not lib.some_unknown("aws_s3_bucket_logging", "target_bucket")
	not logged(b)
	not log_target(b)
	res := {"msg": sprintf("%s has no access logging", [b.id]), "resource": b.id}
}

logged(b) if {
	some l in lib.resources("aws_s3_bucket_logging")
	lib.refers_named(l.attributes.bucket, b, "bucket")
}

# A bucket that receives logs is not expected to log itself.
log_target(b) if {
	some l in lib.resources("aws_s3_bucket_logging")
	lib.refers_named(l.attributes.target_bucket, b, "bucket")
}

log_target(b) if {
	some o in lib.resources("aws_s3_bucket")
	some l in lib.blocks(o.attributes, "logging")
	lib.refers_named(l.target_bucket, b, "bucket")
}
