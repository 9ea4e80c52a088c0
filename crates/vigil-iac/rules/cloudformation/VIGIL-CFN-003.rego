# VIGIL-CFN-003: S3 bucket with a public canned ACL.
package vigil.rules.cfn_003

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-003",
	"title": "S3 bucket with a public canned ACL",
	"severity": "HIGH",
	"description": "The canned ACLs PublicRead, PublicReadWrite and AuthenticatedRead grant every anonymous user (or every AWS account) access to the bucket; PublicReadWrite even lets anyone write to it.",
	"remediation": "Remove `AccessControl` (or use `Private`) and grant access through IAM or a bucket policy scoped to known principals.",
	"references": ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl", "CIS AWS Foundations Benchmark v3.0.0 2.1.4"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::S3::Bucket"
	acl := r.properties.AccessControl
	acl in {"PublicRead", "PublicReadWrite", "AuthenticatedRead"}
	res := {"msg": sprintf("S3 bucket %s has the canned ACL %s", [r.id, acl]), "line": lib.line(r.properties, "AccessControl"), "resource": r.id}
}
