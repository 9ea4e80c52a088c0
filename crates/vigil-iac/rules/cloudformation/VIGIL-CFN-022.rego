# VIGIL-CFN-022: Load balancer listener forwards plain HTTP.
package vigil.rules.cfn_022

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-022",
	"title": "Load balancer listener forwards plain HTTP",
	"severity": "MEDIUM",
	"description": "A listener on HTTP that forwards requests to targets carries the traffic, cookies and credentials included, unencrypted between clients and the load balancer.",
	"remediation": "Make the HTTP listener redirect to HTTPS (`Type: redirect`, `RedirectConfig.Protocol: HTTPS`) and serve the application on an HTTPS listener.",
	"references": ["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html", "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::ElasticLoadBalancingV2::Listener"
	r.properties.Protocol == "HTTP"
	is_array(r.properties.DefaultActions)
	some a in r.properties.DefaultActions
	is_object(a)
	is_string(a.Type)
	lower(a.Type) == "forward"
	res := {"msg": sprintf("listener %s forwards plain HTTP to its targets", [r.id]), "line": lib.line(r.properties, "Protocol"), "resource": r.id}
}
