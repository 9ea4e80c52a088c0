# VIGIL-K8S-007: Pod shares the host's IPC namespace.
package vigil.rules.k8s_007

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-007",
	"title": "Pod shares the host's IPC namespace",
	"severity": "HIGH",
	"description": "`hostIPC: true` gives the pod the node's IPC namespace (shared memory of every process on it).",
	"remediation": "Remove `hostIPC: true` from the pod spec.",
	"references": ["CIS Kubernetes Benchmark 5.2.3", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.pod_spec.hostIPC == true
	res := {"msg": sprintf("%s sets hostIPC: true", [r.id]), "line": lib.line(r.pod_spec, "hostIPC"), "resource": r.id}
}
