# VIGIL-CFN-013: RDS instance publicly accessible.
package vigil.rules.cfn_013

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-013",
	"title": "RDS instance publicly accessible",
	"severity": "HIGH",
	"description": "A publicly accessible instance gets a public DNS name and address; the database port is then only a security group rule away from the internet.",
	"remediation": "Set `PubliclyAccessible: false` and reach the database from inside the VPC (or through a bastion or VPN).",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 2.3.3", "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::RDS::DBInstance"
	lib.is_true(r.properties.PubliclyAccessible)
	res := {"msg": sprintf("RDS instance %s is publicly accessible", [r.id]), "line": lib.line(r.properties, "PubliclyAccessible"), "resource": r.id}
}
