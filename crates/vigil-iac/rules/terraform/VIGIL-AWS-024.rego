# VIGIL-AWS-024: Load balancer listener serves plain HTTP.
package vigil.rules.aws_024

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-024",
	"title": "Load balancer listener serves plain HTTP",
	"severity": "MEDIUM",
	"description": "An HTTP listener that forwards traffic instead of redirecting it to HTTPS sends sessions and credentials unencrypted.",
	"remediation": "Make the HTTP listener's default action a `redirect` to HTTPS (status HTTP_301), and serve the application on an HTTPS listener.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb_listener",
		"https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"aws_lb_listener", "aws_alb_listener"}
	r.attributes.protocol == "HTTP"
	actions := lib.blocks(r.attributes, "default_action")
	count(actions) > 0
	not redirects(actions)
	res := {"msg": sprintf("%s serves HTTP without redirecting to HTTPS", [r.id]), "line": lib.line(r.attributes, "protocol"), "resource": r.id}
}

redirects(actions) if {
	some a in actions
	a.type == "redirect"
	some rd in lib.blocks(a, "redirect")
	lib.get(rd, "protocol", "#{protocol}") == "HTTPS"
}

# A fixed response (such as a 404 for anything unknown) serves nothing.
redirects(actions) if {
	some a in actions
	a.type == "fixed-response"
}
