# VIGIL-K8S-006: Pod shares the host's PID namespace.
package vigil.rules.k8s_006

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-006",
	"title": "Pod shares the host's PID namespace",
	"severity": "HIGH",
	"description": "`hostPID: true` gives the pod the node's process namespace (every process on it, and their environment).",
	"remediation": "Remove `hostPID: true` from the pod spec.",
	"references": ["CIS Kubernetes Benchmark 5.2.2", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.pod_spec.hostPID == true
	res := {"msg": sprintf("%s sets hostPID: true", [r.id]), "line": lib.line(r.pod_spec, "hostPID"), "resource": r.id}
}
