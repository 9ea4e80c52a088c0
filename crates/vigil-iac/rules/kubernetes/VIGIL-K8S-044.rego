# VIGIL-K8S-044: Secret in a ConfigMap.
package vigil.rules.k8s_044

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-044",
	"title": "Secret in a ConfigMap",
	"severity": "HIGH",
	"description": "ConfigMaps are not secret: readable by anyone allowed to view the namespace, never encrypted at rest, printed by tools. A password or key in one is in the repository and every reader's terminal.",
	"remediation": "Move the value to a Secret (from a secrets manager, not the repository) and refer to it.",
	"references": ["CIS Kubernetes Benchmark 5.4.1", "https://kubernetes.io/docs/concepts/configuration/configmap/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind == "ConfigMap"
	some key, value in object.get(r.document, "data", {})
	not startswith(key, "__")
	lib.secret_key(key)
	lib.literal_secret(value)
	res := {"msg": sprintf("%s holds %s in clear text", [r.id, key]), "line": lib.line(r.document.data, key), "resource": r.id}
}
