# VIGIL-AWS-012: IAM user with its own policies.
package vigil.rules.aws_012

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-012",
	"title": "IAM user with its own policies",
	"severity": "MEDIUM",
	"description": "Permissions attached to individual users are hard to review and tend to linger after people change roles; granting them through groups or roles keeps access consistent and auditable.",
	"remediation": "Attach policies to IAM groups (or roles) and add users to the groups; remove inline and directly attached user policies.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 1.15",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_user_policy",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"aws_iam_user_policy", "aws_iam_user_policy_attachment"}
	res := {"msg": sprintf("%s attaches a policy directly to a user", [r.id]), "line": lib.line(r.attributes, "user"), "resource": r.id}
}
