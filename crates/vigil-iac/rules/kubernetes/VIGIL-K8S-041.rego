# VIGIL-K8S-041: Process namespace shared.
package vigil.rules.k8s_041

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-041",
	"title": "Process namespace shared",
	"severity": "LOW",
	"description": "With `shareProcessNamespace: true`, every container of the pod sees the others' processes, their environment and, through /proc, their filesystems (secrets of a sidecar included).",
	"remediation": "Remove `shareProcessNamespace` unless a debugging or sidecar pattern needs it.",
	"references": ["https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.pod_spec.shareProcessNamespace == true
	res := {"msg": sprintf("%s shares one process namespace between its containers", [r.id]), "line": lib.line(r.pod_spec, "shareProcessNamespace"), "resource": r.id}
}
