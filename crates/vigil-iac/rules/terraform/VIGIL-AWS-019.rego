# VIGIL-AWS-019: EC2 instance gets a public IP address.
package vigil.rules.aws_019

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-019",
	"title": "EC2 instance gets a public IP address",
	"severity": "LOW",
	"description": "An instance with a public address is reachable from the Internet whenever its security group allows it; keeping instances private behind load balancers or NAT reduces what is exposed.",
	"remediation": "Set `associate_public_ip_address = false` and put the instance in a private subnet.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/instance",
		"https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_instance")
	r.attributes.associate_public_ip_address == true
	res := {"msg": sprintf("%s gets a public IP address", [r.id]), "line": lib.line(r.attributes, "associate_public_ip_address"), "resource": r.id}
}

deny contains res if {
	some r in lib.resources("aws_launch_template")
	some n in lib.blocks(r.attributes, "network_interfaces")
	n.associate_public_ip_address == true
	res := {"msg": sprintf("%s gives instances a public IP address", [r.id]), "line": lib.line(n, "associate_public_ip_address"), "resource": r.id}
}
