# VIGIL-AWS-011: IAM policy allows every action on every resource.
package vigil.rules.aws_011

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-011",
	"title": "IAM policy allows every action on every resource",
	"severity": "HIGH",
	"description": "A statement allowing Action \"*\" on Resource \"*\" grants full administrator rights; whoever holds the policy (or compromises its holder) controls the account.",
	"remediation": "Grant only the actions and resources the principal needs; keep administrator access to a few break-glass roles.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 1.16",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_policy",
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

policy_types := {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}

deny contains res if {
	some r in input.resources
	r.type in policy_types
	doc := lib.policy_doc(r.attributes.policy)
	some s in lib.statements(doc)
	admin(s)
	res := {"msg": sprintf("%s allows \"*\" on \"*\"", [r.id]), "line": lib.line(r.attributes, "policy"), "resource": r.id}
}

deny contains res if {
	some d in input.data
	d.type == "aws_iam_policy_document"
	some s in lib.blocks(d.attributes, "statement")
	lib.get(s, "effect", "Allow") == "Allow"
	"*" in lib.as_list(lib.get(s, "actions", []))
	"*" in lib.as_list(lib.get(s, "resources", []))
	res := {"msg": sprintf("%s allows \"*\" on \"*\"", [d.id]), "line": lib.line(s, "actions"), "resource": d.id}
}

admin(s) if {
	object.get(s, "Effect", "") == "Allow"
	"*" in lib.as_list(object.get(s, "Action", []))
	"*" in lib.as_list(object.get(s, "Resource", []))
}
