# VIGIL-CFN-024: CloudFront distribution allows plain HTTP to viewers.
package vigil.rules.cfn_024

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-024",
	"title": "CloudFront distribution allows plain HTTP to viewers",
	"severity": "MEDIUM",
	"description": "With `allow-all` viewers may use unencrypted HTTP, exposing the content and any cookies or tokens to anyone on the network path.",
	"remediation": "Set `ViewerProtocolPolicy` to `redirect-to-https` or `https-only` in every cache behaviour.",
	"references": ["https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

behaviors contains b if {
	some r in input.resources
	r.type == "AWS::CloudFront::Distribution"
	b := [r, r.properties.DistributionConfig.DefaultCacheBehavior]
}

behaviors contains [r, c] if {
	some r in input.resources
	r.type == "AWS::CloudFront::Distribution"
	some c in r.properties.DistributionConfig.CacheBehaviors
}

deny contains res if {
	some [r, b] in behaviors
	b.ViewerProtocolPolicy == "allow-all"
	res := {"msg": sprintf("CloudFront distribution %s lets viewers use plain HTTP", [r.id]), "line": lib.line(b, "ViewerProtocolPolicy"), "resource": r.id}
}
