# VIGIL-AWS-020: CloudTrail trail is not multi-region.
package vigil.rules.aws_020

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-020",
	"title": "CloudTrail trail is not multi-region",
	"severity": "MEDIUM",
	"description": "A single-region trail misses API activity in every other region, where an attacker can then act unrecorded.",
	"remediation": "Set `is_multi_region_trail = true`.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 3.1",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudtrail",
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_cloudtrail")
	lib.off(r.attributes, "is_multi_region_trail")
	res := {"msg": sprintf("%s records one region only", [r.id]), "line": lib.line(r.attributes, "is_multi_region_trail"), "resource": r.id}
}
