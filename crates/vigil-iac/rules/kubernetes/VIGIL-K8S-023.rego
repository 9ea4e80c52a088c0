# VIGIL-K8S-023: Ingress NGINX configuration snippet.
package vigil.rules.k8s_023

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-023",
	"title": "Ingress NGINX configuration snippet",
	"severity": "HIGH",
	"description": "Snippet annotations paste raw NGINX configuration into the controller, which runs with a service account that can read every Secret in the cluster: whoever may edit an Ingress can make it serve those Secrets (CVE-2021-25742) or worse.",
	"remediation": "Remove the snippet annotation and use the dedicated annotations or ConfigMap options; run the controller with `allow-snippet-annotations: false`.",
	"references": ["https://github.com/kubernetes/ingress-nginx/issues/7837", "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#allow-snippet-annotations"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind == "Ingress"
	some key, _ in lib.annotations(r.document)
	regex.match(`^(nginx\.ingress\.kubernetes\.io/(server|configuration|auth|stream)-snippet|nginx\.org/(server|location)-snippets)$`, key)
	res := {"msg": sprintf("%s injects NGINX configuration with %s", [r.id, key]), "line": lib.line(r.document.metadata.annotations, key), "resource": r.id}
}
