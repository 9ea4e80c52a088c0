# VIGIL-AWS-027: EKS API endpoint open to the whole Internet.
package vigil.rules.aws_027

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-027",
	"title": "EKS API endpoint open to the whole Internet",
	"severity": "HIGH",
	"description": "A public Kubernetes API endpoint reachable from 0.0.0.0/0 is exposed to credential stuffing and to any vulnerability in the API server; access should come from known networks or the VPC.",
	"remediation": "Set `endpoint_public_access = false`, or list your networks in `public_access_cidrs`.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster#vpc_config",
		"https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_eks_cluster")
	some v in lib.blocks(r.attributes, "vpc_config")
	lib.get(v, "endpoint_public_access", true) == true
	cidrs := lib.get(v, "public_access_cidrs", ["0.0.0.0/0"])
	is_array(cidrs)
	some c in cidrs
	lib.open_cidr(c)
	res := {"msg": sprintf("%s exposes its API endpoint to the Internet", [r.id]), "line": lib.line(v, "public_access_cidrs"), "resource": r.id}
}
