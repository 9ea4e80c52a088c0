# VIGIL-K8S-021: Ingress without TLS.
package vigil.rules.k8s_021

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-021",
	"title": "Ingress without TLS",
	"severity": "MEDIUM",
	"description": "An Ingress without a `tls` section serves its hosts over plain HTTP: credentials and session cookies cross the network readable and alterable.",
	"remediation": "Add `spec.tls` with a certificate Secret for the Ingress hosts (cert-manager can issue it), or terminate TLS at the cloud load balancer with its certificate annotation.",
	"references": ["https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind == "Ingress"
	spec := object.get(r.document, "spec", {})
	count(object.get(spec, "tls", [])) == 0
	not cloud_tls(r)
	res := {"msg": sprintf("%s has no TLS section: its hosts are served over plain HTTP", [r.id]), "line": r.line, "resource": r.id}
}

# Annotations with which a cloud load balancer terminates TLS itself.
cloud_tls(r) if {
	some key, _ in lib.annotations(r.document)
	key in {
		"alb.ingress.kubernetes.io/certificate-arn",
		"networking.gke.io/managed-certificates",
		"ingress.gcp.kubernetes.io/pre-shared-cert",
		"appgw.ingress.kubernetes.io/appgw-ssl-certificate",
	}
}
