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

configs contains [r, c] if {
	some r in input.resources
	r.type == "AWS::CloudFront::Distribution"
	c := r.properties.DistributionConfig
	is_object(c)
}

behaviors contains [r, c.DefaultCacheBehavior] if {
	some [r, c] in configs
	is_object(c.DefaultCacheBehavior)
}

behaviors contains [r, b] if {
	some [r, c] in configs
	is_array(c.CacheBehaviors)
	some b in c.CacheBehaviors
	is_object(b)
}

deny contains res if {
	some [r, b] in behaviors
	b.ViewerProtocolPolicy == "allow-all"
	res := {"msg": sprintf("CloudFront distribution %s lets viewers use plain HTTP", [r.id]), "line": lib.line(b, "ViewerProtocolPolicy"), "resource": r.id}
}
