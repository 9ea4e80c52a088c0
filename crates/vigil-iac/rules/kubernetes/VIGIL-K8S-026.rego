# VIGIL-K8S-026: RBAC escalate, bind or impersonate.
package vigil.rules.k8s_026

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-026",
	"title": "RBAC escalate, bind or impersonate",
	"severity": "HIGH",
	"description": "`escalate` lets a subject write roles with permissions it does not hold, `bind` lets it bind roles it does not hold, `impersonate` lets it act as another user, group or service account: each is a path to cluster-admin.",
	"remediation": "Remove these verbs; keep them to the cluster's own controllers.",
	"references": ["CIS Kubernetes Benchmark 5.1.8", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some rule in lib.rbac_rules(r)
	some verb in object.get(rule, "verbs", [])
	lower(verb) in {"escalate", "bind", "impersonate"}
	res := {"msg": sprintf("%s grants the %s verb", [r.id, verb]), "line": lib.line(rule, "verbs"), "resource": r.id}
}
