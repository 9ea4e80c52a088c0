# VIGIL-AWS-018: EC2 instance metadata service allows IMDSv1.
package vigil.rules.aws_018

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-018",
	"title": "EC2 instance metadata service allows IMDSv1",
	"severity": "MEDIUM",
	"description": "IMDSv1 answers plain GET requests, so a server-side request forgery in an application can read the instance role's credentials; IMDSv2 requires a session token that such requests cannot obtain.",
	"remediation": "Add `metadata_options { http_tokens = \"required\" }` (or disable the endpoint with `http_endpoint = \"disabled\"`).",
	"references": [
		"CIS AWS Foundations Benchmark v2.0.0 5.6",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/instance#metadata-options",
		"https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"aws_instance", "aws_launch_template"}
	count(lib.blocks(r.attributes, "metadata_options")) == 0
	res := {"msg": sprintf("%s does not require IMDSv2 (no metadata_options)", [r.id]), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	r.type in {"aws_instance", "aws_launch_template"}
	some m in lib.blocks(r.attributes, "metadata_options")
	lib.get(m, "http_endpoint", "enabled") != "disabled"
	t := lib.get(m, "http_tokens", "optional")
	t == "optional"
	res := {"msg": sprintf("%s does not require IMDSv2 tokens", [r.id]), "line": lib.line(m, "http_tokens"), "resource": r.id}
}
