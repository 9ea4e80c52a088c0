# VIGIL-CFN-011: IAM user with policies attached directly.
package vigil.rules.cfn_011

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-011",
	"title": "IAM user with policies attached directly",
	"severity": "LOW",
	"description": "Permissions given to individual users are hard to review and tend to linger after people change roles; granting them through groups (or roles) keeps access consistent and auditable.",
	"remediation": "Move the policy to an `AWS::IAM::Group` and add the user to it, or have the user assume a role.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 1.15", "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::IAM::User"
	is_array(r.properties.Policies)
	count(r.properties.Policies) > 0
	res := {"msg": sprintf("IAM user %s has inline policies", [r.id]), "line": lib.line(r.properties, "Policies"), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::IAM::Policy"
	is_array(r.properties.Users)
	count(r.properties.Users) > 0
	res := {"msg": sprintf("IAM policy %s is attached to users directly", [r.id]), "line": lib.line(r.properties, "Users"), "resource": r.id}
}
