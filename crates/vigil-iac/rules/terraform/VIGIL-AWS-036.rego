# VIGIL-AWS-036: VPC without flow logs.
package vigil.rules.aws_036

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-036",
	"title": "VPC without flow logs",
	"severity": "MEDIUM",
	"description": "VPC flow logs record the network traffic of a VPC's interfaces; without them, suspicious connections and data exfiltration cannot be investigated.",
	"remediation": "Add an `aws_flow_log` with `vpc_id` set to the VPC, delivering to CloudWatch Logs or S3.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 3.9",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/flow_log",
		"https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"
	],
	"formats": [
		"terraform"
	],
	"status": "preview"
}

deny contains res if {
	some v in lib.resources("aws_vpc")
	not lib.some_unknown("aws_flow_log", "vpc_id")
	not logged(v)
	res := {"msg": sprintf("%s has no flow log", [v.id]), "resource": v.id}
}

logged(v) if {
	some f in lib.resources("aws_flow_log")
	lib.refers(f.attributes.vpc_id, v)
}
