# VIGIL-K8S-020: Service with externalIPs.
package vigil.rules.k8s_020

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-020",
	"title": "Service with externalIPs",
	"severity": "MEDIUM",
	"description": "Traffic to a Service's `externalIPs` is captured by kube-proxy on every node; whoever can set them can intercept traffic meant for any address (CVE-2020-8554).",
	"remediation": "Remove `spec.externalIPs`; use a LoadBalancer Service, and deny externalIPs with an admission policy (the DenyServiceExternalIPs admission plugin).",
	"references": ["https://github.com/kubernetes/kubernetes/issues/97076", "https://kubernetes.io/docs/concepts/services-networking/service/#external-ips"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind == "Service"
	spec := object.get(r.document, "spec", {})
	count(object.get(spec, "externalIPs", [])) > 0
	res := {"msg": sprintf("%s sets externalIPs %v", [r.id, spec.externalIPs]), "line": lib.line(spec, "externalIPs"), "resource": r.id}
}
