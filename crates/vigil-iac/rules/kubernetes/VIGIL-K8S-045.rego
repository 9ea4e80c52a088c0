# VIGIL-K8S-045: Secret values committed.
package vigil.rules.k8s_045

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-045",
	"title": "Secret values committed",
	"severity": "LOW",
	"description": "A Secret manifest with `data` or `stringData` keeps the secret in the repository (base64 is not encryption), readable by everyone with access to it and to its history.",
	"remediation": "Keep secret values out of the repository: an external secrets operator, Sealed Secrets or SOPS-encrypted files.",
	"references": ["CIS Kubernetes Benchmark 5.4.2", "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
	"formats": ["kubernetes"],
	"status": "preview",
}

deny contains res if {
	some r in input.resources
	r.kind == "Secret"
	object.get(r.document, "type", "Opaque") != "kubernetes.io/service-account-token"
	some field in ["data", "stringData"]
	some key, value in object.get(r.document, field, {})
	not startswith(key, "__")
	is_string(value)
	value != ""
	res := {"msg": sprintf("%s carries the value of %s in the manifest", [r.id, key]), "line": lib.line(r.document[field], key), "resource": r.id}
}
