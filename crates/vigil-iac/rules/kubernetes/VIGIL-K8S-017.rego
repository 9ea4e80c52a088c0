# VIGIL-K8S-017: Default service account token mounted.
package vigil.rules.k8s_017

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-017",
	"title": "Default service account token mounted",
	"severity": "LOW",
	"description": "A pod that uses the namespace's `default` service account with its token mounted gives any process in it the API access that account has, often more than intended as other workloads' permissions accrue to it.",
	"remediation": "Give the workload its own service account, or set `automountServiceAccountToken: false`.",
	"references": ["CIS Kubernetes Benchmark 5.1.5", "CIS Kubernetes Benchmark 5.1.6"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.pod_spec != null
	object.get(r.pod_spec, "serviceAccountName", "default") == "default"
	not r.pod_spec.automountServiceAccountToken == false
	res := {"msg": sprintf("%s uses the default service account with its token mounted", [r.id]), "line": r.pod_spec.__line__, "resource": r.id}
}
