# VIGIL-AWS-008: Security group allows RDP from the Internet.
package vigil.rules.aws_008

import data.vigil.lib
import data.vigil.lib.terraform as tf
import rego.v1

metadata := {
	"id": "VIGIL-AWS-008",
	"title": "Security group allows RDP from the Internet",
	"severity": "HIGH",
	"description": "RDP exposed to the whole Internet is scanned and brute-forced within minutes of being reachable; administration ports should only be open to known networks or reached through a bastion or session manager.",
	"remediation": "Restrict the rule's CIDR blocks to the networks that need RDP, or remove the rule and use AWS Systems Manager Session Manager.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 5.2",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group",
		"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some x in tf.aws_sg_rules
	x.direction == "ingress"
	tf.open_to_world(x)
	tf.allows_port(x, 3389)
	res := {"msg": sprintf("%s allows RDP (port 3389) from the Internet", [x.resource]), "line": x.line, "resource": x.resource}
}
