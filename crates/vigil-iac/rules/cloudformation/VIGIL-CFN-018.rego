# VIGIL-CFN-018: CloudTrail trail not multi-region.
package vigil.rules.cfn_018

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-018",
	"title": "CloudTrail trail not multi-region",
	"severity": "MEDIUM",
	"description": "A single-region trail misses API activity in the other regions, which is where an intruder starts resources they do not want seen.",
	"remediation": "Set `IsMultiRegionTrail: true`.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 3.1", "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::CloudTrail::Trail"
	lib.false_or_absent(r.properties, "IsMultiRegionTrail")
	res := {"msg": sprintf("CloudTrail trail %s records one region only", [r.id]), "line": lib.line_or(r.properties, "IsMultiRegionTrail", r.line), "resource": r.id}
}
