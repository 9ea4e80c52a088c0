# VIGIL-AWS-030: Lambda permission lets any principal invoke the function.
package vigil.rules.aws_030

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-030",
	"title": "Lambda permission lets any principal invoke the function",
	"severity": "HIGH",
	"description": "A resource policy granting invocation to `*` without a source ARN or account condition lets any AWS account, or any service acting for one, invoke the function.",
	"remediation": "Name the principal (a service such as `s3.amazonaws.com` or an account) and set `source_arn` or `source_account`.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_permission",
		"https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_lambda_permission")
	r.attributes.principal == "*"
	lib.get(r.attributes, "source_arn", null) == null
	lib.get(r.attributes, "source_account", null) == null
	lib.get(r.attributes, "principal_org_id", null) == null
	res := {"msg": sprintf("%s lets any principal invoke the function", [r.id]), "line": lib.line(r.attributes, "principal"), "resource": r.id}
}
