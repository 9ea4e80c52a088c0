# VIGIL-CFN-025: DynamoDB table without point-in-time recovery.
package vigil.rules.cfn_025

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-025",
	"title": "DynamoDB table without point-in-time recovery",
	"severity": "LOW",
	"description": "Point-in-time recovery lets a table be restored to any second of the last 35 days; without it, data overwritten or deleted by a bug or an attacker is lost unless a separate backup exists.",
	"remediation": "Set `PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true`.",
	"references": ["https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::DynamoDB::Table"
	spec := object.get(r.properties, "PointInTimeRecoverySpecification", {})
	not lib.intrinsic(spec)
	lib.false_or_absent(spec, "PointInTimeRecoveryEnabled")
	res := {"msg": sprintf("DynamoDB table %s has no point-in-time recovery", [r.id]), "line": lib.line_or(spec, "PointInTimeRecoveryEnabled", r.line), "resource": r.id}
}
