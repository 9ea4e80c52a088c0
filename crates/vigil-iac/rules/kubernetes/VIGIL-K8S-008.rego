# VIGIL-K8S-008: hostPath volume.
package vigil.rules.k8s_008

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-008",
	"title": "hostPath volume",
	"severity": "MEDIUM",
	"description": "A hostPath volume mounts a directory of the node into the pod; writable, it lets the pod change the node (its kubelet config, container runtime socket).",
	"remediation": "Use an emptyDir, a ConfigMap, a Secret or a persistent volume instead of hostPath.",
	"references": ["CIS Kubernetes Benchmark 5.2.12", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.pod_spec != null
	some v in object.get(r.pod_spec, "volumes", [])
	v.hostPath
	res := {"msg": sprintf("%s mounts the host path %s (volume %q)", [r.id, object.get(v.hostPath, "path", "?"), v.name]), "line": lib.line(v, "hostPath"), "resource": r.id}
}
