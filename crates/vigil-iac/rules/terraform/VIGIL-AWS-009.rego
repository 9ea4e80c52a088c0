# VIGIL-AWS-009: Security group allows all ports from the Internet.
package vigil.rules.aws_009

import data.vigil.lib
import data.vigil.lib.terraform as tf
import rego.v1

metadata := {
	"id": "VIGIL-AWS-009",
	"title": "Security group allows all ports from the Internet",
	"severity": "HIGH",
	"description": "A rule that opens every port (protocol -1 or the whole port range) to 0.0.0.0/0 or ::/0 exposes every service on the attached hosts, including ones never meant to be public.",
	"remediation": "Open only the ports the service needs, to the networks that need them.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 5.2",
		"CIS AWS Foundations Benchmark v1.5.0 5.3",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_security_group_ingress_rule"
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
	all_ports(x)
	res := {"msg": sprintf("%s allows every port from the Internet", [x.resource]), "line": x.line, "resource": x.resource}
}

all_ports(x) if tf.all_protocols(x.protocol)

all_ports(x) if {
	lib.lower_str(x.protocol) in {"tcp", "udp", "6", "17"}
	x.from <= 1
	x.to >= 65535
}
