# VIGIL-CFN-002: S3 bucket without a public access block in the template.
package vigil.rules.cfn_002

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-002",
	"title": "S3 bucket without a public access block in the template",
	"severity": "LOW",
	"description": "Without `PublicAccessBlockConfiguration` the bucket depends on settings made outside the template (the account-wide block, or the default AWS applies to new buckets). Stating the block in the template keeps the protection reviewed and versioned with the bucket.",
	"remediation": "Add `PublicAccessBlockConfiguration` with all four settings true.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 2.1.4", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::S3::Bucket"
	not lib.has(r.properties, "PublicAccessBlockConfiguration")
	res := {"msg": sprintf("S3 bucket %s has no public access block in the template", [r.id]), "line": r.line, "resource": r.id}
}
