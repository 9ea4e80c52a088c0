# VIGIL-AWS-026: CloudFront distribution allows plain HTTP viewers.
package vigil.rules.aws_026

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-026",
	"title": "CloudFront distribution allows plain HTTP viewers",
	"severity": "MEDIUM",
	"description": "With `viewer_protocol_policy = \"allow-all\"`, viewers can fetch content over unencrypted HTTP, where it can be read or altered in transit.",
	"remediation": "Set `viewer_protocol_policy` to `redirect-to-https` or `https-only` in every cache behavior.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudfront_distribution",
		"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_cloudfront_distribution")
	some key in ["default_cache_behavior", "ordered_cache_behavior"]
	some b in lib.blocks(r.attributes, key)
	b.viewer_protocol_policy == "allow-all"
	res := {"msg": sprintf("%s allows HTTP in its %s", [r.id, key]), "line": lib.line(b, "viewer_protocol_policy"), "resource": r.id}
}
