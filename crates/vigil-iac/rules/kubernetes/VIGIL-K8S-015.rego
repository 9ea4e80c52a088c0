# VIGIL-K8S-015: Secret in an environment variable.
package vigil.rules.k8s_015

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-015",
	"title": "Secret in an environment variable",
	"severity": "HIGH",
	"description": "A secret written into the manifest as a plain `env` value is in the repository, in every copy of the manifest and readable by anyone who can read the workload object.",
	"remediation": "Store it in a Secret and refer to it with `valueFrom.secretKeyRef`.",
	"references": ["CIS Kubernetes Benchmark 5.4.1", "https://kubernetes.io/docs/concepts/configuration/secret/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	some e in object.get(c, "env", [])
	lib.secret_name(e.name)
	is_string(e.value)
	e.value != ""
	res := {"msg": sprintf("container %q of %s sets %s to a literal value", [c.name, r.id, e.name]), "line": lib.line(e, "value"), "resource": r.id}
}
