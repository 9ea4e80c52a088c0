# VIGIL-K8S-005: Pod shares the host's network namespace.
package vigil.rules.k8s_005

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-005",
	"title": "Pod shares the host's network namespace",
	"severity": "HIGH",
	"description": "`hostNetwork: true` gives the pod the node's network namespace (its interfaces, and services bound to localhost).",
	"remediation": "Remove `hostNetwork: true` from the pod spec.",
	"references": ["CIS Kubernetes Benchmark 5.2.4", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.pod_spec.hostNetwork == true
	res := {"msg": sprintf("%s sets hostNetwork: true", [r.id]), "line": lib.line(r.pod_spec, "hostNetwork"), "resource": r.id}
}
