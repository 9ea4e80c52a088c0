# VIGIL-AWS-010: Security group allows all egress to the Internet.
package vigil.rules.aws_010

import data.vigil.lib
import data.vigil.lib.terraform as tf
import rego.v1

metadata := {
	"id": "VIGIL-AWS-010",
	"title": "Security group allows all egress to the Internet",
	"severity": "LOW",
	"description": "Unrestricted egress lets a compromised workload download tools and send data anywhere; limiting egress to the destinations a service needs makes exfiltration harder.",
	"remediation": "Restrict egress rules to the ports and networks (VPC endpoints, proxies) the workload needs.",
	"references": [
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
	x.direction == "egress"
	tf.open_to_world(x)
	tf.all_protocols(x.protocol)
	res := {"msg": sprintf("%s allows all outbound traffic to the Internet", [x.resource]), "line": x.line, "resource": x.resource}
}
