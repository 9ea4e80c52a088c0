# VIGIL-CFN-010: IAM policy allows every action on every resource.
package vigil.rules.cfn_010

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-010",
	"title": "IAM policy allows every action on every resource",
	"severity": "HIGH",
	"description": "A statement allowing `*` on `*` is full administrator access: whoever holds it can do anything in the account, including granting themselves more and erasing their traces.",
	"remediation": "Grant the actions and resources the principal needs; use AWS managed job-function policies or IAM Access Analyzer policy generation to find them.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 1.16", "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
	"formats": ["cloudformation"],
	"status": "stable",
}

# Every IAM policy document of the template, with its resource.
documents contains [r, r.properties.PolicyDocument] if {
	some r in input.resources
	r.type in {"AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"}
}

documents contains [r, p.PolicyDocument] if {
	some r in input.resources
	r.type in {"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"}
	is_array(r.properties.Policies)
	some p in r.properties.Policies
	is_object(p)
}

deny contains res if {
	some [r, doc] in documents
	some s in lib.statements(doc)
	s.Effect == "Allow"
	some a in lib.as_list(s.Action)
	a in {"*", "*:*"}
	some x in lib.as_list(s.Resource)
	x == "*"
	res := {"msg": sprintf("IAM policy of %s allows every action on every resource", [r.id]), "line": lib.line(s, "Action"), "resource": r.id}
}
