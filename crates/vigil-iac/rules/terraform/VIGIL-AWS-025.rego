# VIGIL-AWS-025: Load balancer listener uses an outdated TLS policy.
package vigil.rules.aws_025

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-025",
	"title": "Load balancer listener uses an outdated TLS policy",
	"severity": "MEDIUM",
	"description": "Older ELB security policies still accept TLS 1.0/1.1 and weak ciphers, which allow downgrade attacks and fail compliance requirements.",
	"remediation": "Use a TLS 1.2+ policy such as `ELBSecurityPolicy-TLS13-1-2-2021-06`.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb_listener",
		"https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

outdated := {
	"ELBSecurityPolicy-2015-05",
	"ELBSecurityPolicy-2016-08",
	"ELBSecurityPolicy-TLS-1-0-2015-04",
	"ELBSecurityPolicy-TLS-1-1-2017-01",
	"ELBSecurityPolicy-FS-2018-06",
	"ELBSecurityPolicy-FS-1-1-2019-08",
	"ELBSecurityPolicy-TLS13-1-0-2021-06",
	"ELBSecurityPolicy-TLS13-1-1-2021-06",
}

deny contains res if {
	some r in input.resources
	r.type in {"aws_lb_listener", "aws_alb_listener"}
	r.attributes.protocol in {"HTTPS", "TLS"}
	p := lib.get(r.attributes, "ssl_policy", "ELBSecurityPolicy-2016-08")
	p in outdated
	res := {"msg": sprintf("%s uses the TLS policy %s, which accepts TLS below 1.2", [r.id, p]), "line": lib.line(r.attributes, "ssl_policy"), "resource": r.id}
}
