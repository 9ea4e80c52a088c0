# VIGIL-CFN-017: EC2 instance metadata allows IMDSv1.
package vigil.rules.cfn_017

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-017",
	"title": "EC2 instance metadata allows IMDSv1",
	"severity": "MEDIUM",
	"description": "IMDSv1 answers any HTTP GET from the instance, so a server-side request forgery in an application can read the instance role's credentials; IMDSv2 requires a session token that such requests cannot obtain.",
	"remediation": "Set `MetadataOptions.HttpTokens: required` in the launch template (or launch configuration).",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 5.6", "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

# Metadata options of launch templates and launch configurations.
options contains [r, object.get(r.properties.LaunchTemplateData, "MetadataOptions", {})] if {
	some r in input.resources
	r.type == "AWS::EC2::LaunchTemplate"
	is_object(r.properties.LaunchTemplateData)
}

options contains [r, object.get(r.properties, "MetadataOptions", {})] if {
	some r in input.resources
	r.type == "AWS::AutoScaling::LaunchConfiguration"
}

deny contains res if {
	some [r, m] in options
	is_object(m)
	not lib.intrinsic(m)
	not m.HttpEndpoint == "disabled"
	not m.HttpTokens == "required"
	not lib.intrinsic(object.get(m, "HttpTokens", null))
	res := {"msg": sprintf("%s does not require IMDSv2 session tokens", [r.id]), "line": lib.line_or(m, "HttpTokens", r.line), "resource": r.id}
}
