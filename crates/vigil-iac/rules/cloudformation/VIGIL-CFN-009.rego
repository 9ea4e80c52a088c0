# VIGIL-CFN-009: Security group allows all traffic from the internet.
package vigil.rules.cfn_009

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-009",
	"title": "Security group allows all traffic from the internet",
	"severity": "HIGH",
	"description": "An ingress rule for every protocol, or every TCP/UDP port, from 0.0.0.0/0 or ::/0 exposes whatever listens on the instances, including services never meant to be reachable.",
	"remediation": "Open only the ports the service needs, from the networks that need them.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 5.2", "CIS AWS Foundations Benchmark v3.0.0 5.3", "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-rules.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

# Every ingress rule: inline in a security group, or a resource of its own.
ingress contains [r, i] if {
	some r in input.resources
	r.type == "AWS::EC2::SecurityGroup"
	is_array(r.properties.SecurityGroupIngress)
	some i in r.properties.SecurityGroupIngress
	is_object(i)
}

ingress contains [r, r.properties] if {
	some r in input.resources
	r.type == "AWS::EC2::SecurityGroupIngress"
}

anywhere(i) if i.CidrIp == "0.0.0.0/0"

anywhere(i) if i.CidrIpv6 == "::/0"

all_protocols(i) if lib.num(i.IpProtocol) == -1

all_protocols(i) if {
	is_string(i.IpProtocol)
	lower(i.IpProtocol) == "all"
}

deny contains res if {
	some [r, i] in ingress
	anywhere(i)
	all_protocols(i)
	res := {"msg": sprintf("%s allows all traffic from anywhere", [r.id]), "line": lib.line(i, "IpProtocol"), "resource": r.id}
}

deny contains res if {
	some [r, i] in ingress
	anywhere(i)
	lib.num(i.FromPort) <= 1
	lib.num(i.ToPort) >= 65535
	res := {"msg": sprintf("%s allows every port from anywhere", [r.id]), "line": lib.line(i, "FromPort"), "resource": r.id}
}
