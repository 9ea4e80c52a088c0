# VIGIL-CFN-023: Load balancer listener allows TLS 1.0 or 1.1.
package vigil.rules.cfn_023

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-023",
	"title": "Load balancer listener allows TLS 1.0 or 1.1",
	"severity": "MEDIUM",
	"description": "Security policies such as ELBSecurityPolicy-2016-08 still accept TLS 1.0 and 1.1, protocol versions with known weaknesses that current clients no longer need.",
	"remediation": "Use a TLS 1.2+ policy such as `ELBSecurityPolicy-TLS13-1-2-2021-06`.",
	"references": ["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::ElasticLoadBalancingV2::Listener"
	policy := r.properties.SslPolicy
	is_string(policy)
	regex.match(`^ELBSecurityPolicy-(2015-05|2016-08|FS-2018-06|TLS-1-0-|TLS-1-1-|FS-1-1-|TLS13-1-0-|TLS13-1-1-)`, policy)
	res := {"msg": sprintf("listener %s uses %s, which accepts TLS versions older than 1.2", [r.id, policy]), "line": lib.line(r.properties, "SslPolicy"), "resource": r.id}
}
