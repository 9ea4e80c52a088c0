# VIGIL-CFN-008: Security group opens SSH or RDP to the internet.
package vigil.rules.cfn_008

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-008",
	"title": "Security group opens SSH or RDP to the internet",
	"severity": "HIGH",
	"description": "SSH (22) and RDP (3389) open to 0.0.0.0/0 or ::/0 expose remote administration to constant scanning and password or exploit attempts from the whole internet.",
	"remediation": "Allow these ports only from known networks (a VPN or bastion range, or another security group), or use Session Manager and close them.",
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
	lower(sprintf("%v", [i.IpProtocol])) in {"tcp", "6"}
	some port in [22, 3389]
	lib.num(i.FromPort) <= port
	port <= lib.num(i.ToPort)
	res := {"msg": sprintf("%s allows port %d from anywhere", [r.id, port]), "line": lib.line(i, "FromPort"), "resource": r.id}
}
