# VIGIL-AWS-001: S3 bucket grants public access through its ACL.
package vigil.rules.aws_001

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-001",
	"title": "S3 bucket grants public access through its ACL",
	"severity": "HIGH",
	"description": "A canned ACL such as public-read or a grant to the AllUsers/AuthenticatedUsers groups lets anyone on the Internet (or any AWS account) list or read the bucket's objects.",
	"remediation": "Use the `private` ACL (or disable ACLs with object ownership `BucketOwnerEnforced`) and share objects through bucket policies scoped to known principals.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 2.1.5",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_acl",
		"https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

public_acls := {"public-read", "public-read-write", "authenticated-read"}

public_groups := {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}

deny contains res if {
	some r in input.resources
	r.type in {"aws_s3_bucket", "aws_s3_bucket_acl"}
	r.attributes.acl in public_acls
	res := {"msg": sprintf("%s sets the canned ACL %q", [r.id, r.attributes.acl]), "line": lib.line(r.attributes, "acl"), "resource": r.id}
}

deny contains res if {
	some r in lib.resources("aws_s3_bucket_acl")
	some p in lib.blocks(r.attributes, "access_control_policy")
	some g in lib.blocks(p, "grant")
	some ge in lib.blocks(g, "grantee")
	ge.uri in public_groups
	res := {"msg": sprintf("%s grants %s to %s", [r.id, lib.get(g, "permission", "access"), ge.uri]), "line": lib.line(ge, "uri"), "resource": r.id}
}
