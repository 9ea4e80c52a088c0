# VIGIL-CFN-031: EKS API endpoint open to the internet.
package vigil.rules.cfn_031

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-031",
	"title": "EKS API endpoint open to the internet",
	"severity": "MEDIUM",
	"description": "By default the cluster's Kubernetes API endpoint is public and accepts connections from 0.0.0.0/0, leaving it reachable by anyone who finds a credential or a flaw in the API server.",
	"remediation": "Set `EndpointPrivateAccess: true` and `EndpointPublicAccess: false`, or restrict `PublicAccessCidrs` to known networks.",
	"references": ["CIS Amazon EKS Benchmark 5.4.2", "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

public(vpc) if not lib.has(vpc, "EndpointPublicAccess")

public(vpc) if lib.is_true(vpc.EndpointPublicAccess)

open_cidrs(vpc) if not lib.has(vpc, "PublicAccessCidrs")

open_cidrs(vpc) if {
	is_array(vpc.PublicAccessCidrs)
	"0.0.0.0/0" in vpc.PublicAccessCidrs
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::EKS::Cluster"
	vpc := r.properties.ResourcesVpcConfig
	is_object(vpc)
	not lib.intrinsic(vpc)
	public(vpc)
	open_cidrs(vpc)
	res := {"msg": sprintf("EKS cluster %s serves its API endpoint to any address", [r.id]), "line": lib.line_or(vpc, "PublicAccessCidrs", lib.line_or(vpc, "EndpointPublicAccess", r.line)), "resource": r.id}
}
