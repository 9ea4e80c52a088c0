# VIGIL-K8S-022: Ingress HTTPS redirect disabled.
package vigil.rules.k8s_022

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-022",
	"title": "Ingress HTTPS redirect disabled",
	"severity": "LOW",
	"description": "With `nginx.ingress.kubernetes.io/ssl-redirect: \"false\"`, an Ingress that has TLS still answers plain HTTP requests instead of redirecting them, so clients that start on http:// stay there.",
	"remediation": "Remove the annotation (ingress-nginx redirects to HTTPS by default when TLS is set) and send HSTS headers.",
	"references": ["https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#server-side-https-enforcement-through-redirect"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind == "Ingress"
	key := "nginx.ingress.kubernetes.io/ssl-redirect"
	lower(sprintf("%v", [lib.annotations(r.document)[key]])) == "false"
	res := {"msg": sprintf("%s turns off the redirect from HTTP to HTTPS", [r.id]), "line": lib.line(r.document.metadata.annotations, key), "resource": r.id}
}
