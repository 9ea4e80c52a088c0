# VIGIL-AWS-029: Lambda function URL without authentication.
package vigil.rules.aws_029

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-029",
	"title": "Lambda function URL without authentication",
	"severity": "HIGH",
	"description": "A function URL with `authorization_type = \"NONE\"` lets anyone on the Internet invoke the function; unless it is meant to be a public endpoint with its own checks, invocations should require IAM authentication.",
	"remediation": "Set `authorization_type = \"AWS_IAM\"`, or front the function with API Gateway and an authorizer.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function_url",
		"https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_lambda_function_url")
	r.attributes.authorization_type == "NONE"
	res := {"msg": sprintf("%s can be invoked without authentication", [r.id]), "line": lib.line(r.attributes, "authorization_type"), "resource": r.id}
}
