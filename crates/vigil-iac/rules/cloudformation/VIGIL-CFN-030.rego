# VIGIL-CFN-030: Lambda function URL without authentication.
package vigil.rules.cfn_030

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-030",
	"title": "Lambda function URL without authentication",
	"severity": "MEDIUM",
	"description": "A function URL with `AuthType: NONE` can be invoked by anyone on the internet who learns the URL; the function must then authenticate every request itself.",
	"remediation": "Use `AuthType: AWS_IAM` (sign requests with SigV4), or front the function with API Gateway and an authorizer.",
	"references": ["https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::Lambda::Url"
	r.properties.AuthType == "NONE"
	res := {"msg": sprintf("function URL %s requires no authentication", [r.id]), "line": lib.line(r.properties, "AuthType"), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::Serverless::Function"
	c := r.properties.FunctionUrlConfig
	is_object(c)
	c.AuthType == "NONE"
	res := {"msg": sprintf("the function URL of %s requires no authentication", [r.id]), "line": lib.line(c, "AuthType"), "resource": r.id}
}
