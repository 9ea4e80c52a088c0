# VIGIL-AWS-005: S3 bucket versioning not enabled.
package vigil.rules.aws_005

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-005",
	"title": "S3 bucket versioning not enabled",
	"severity": "MEDIUM",
	"description": "Versioning keeps earlier versions of overwritten or deleted objects, so that data destroyed by mistake or by ransomware can be restored.",
	"remediation": "Add an `aws_s3_bucket_versioning` with `versioning_configuration { status = \"Enabled\" }` for the bucket.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_versioning",
		"https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some v in lib.resources("aws_s3_bucket_versioning")
	some c in lib.blocks(v.attributes, "versioning_configuration")
	c.status in {"Suspended", "Disabled"}
	res := {"msg": sprintf("%s sets versioning to %s", [v.id, c.status]), "line": lib.line(c, "status"), "resource": v.id}
}

deny contains res if {
	some b in lib.resources("aws_s3_bucket")
	some c in lib.blocks(b.attributes, "versioning")
	c.enabled == false
	res := {"msg": sprintf("%s disables versioning", [b.id]), "line": lib.line(c, "enabled"), "resource": b.id}
}

deny contains res if {
	some b in lib.resources("aws_s3_bucket")
	count(lib.blocks(b.attributes, "versioning")) == 0
	not lib.some_unknown("aws_s3_bucket_versioning", "bucket")
	not has_versioning(b)
	res := {"msg": sprintf("%s has no versioning configuration", [b.id]), "resource": b.id}
}

has_versioning(b) if {
	some v in lib.resources("aws_s3_bucket_versioning")
	lib.refers_named(v.attributes.bucket, b, "bucket")
}
