# VIGIL-K8S-043: Sensitive host directory mounted.
package vigil.rules.k8s_043

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-043",
	"title": "Sensitive host directory mounted",
	"severity": "HIGH",
	"description": "A hostPath of the node's root, /etc, /proc, /sys, /dev, /boot, /root or the kubelet and runtime state gives the pod the node's credentials and configuration (writable, the node itself).",
	"remediation": "Mount only the narrow paths an agent needs, read-only, or use a volume type other than hostPath.",
	"references": ["CIS Kubernetes Benchmark 5.2.12", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

sensitive := {"", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/home", "/var/lib/kubelet", "/etc/kubernetes", "/var/lib/docker", "/var/lib/containerd", "/var/lib/etcd"}

deny contains res if {
	some r in input.resources
	r.pod_spec != null
	some v in object.get(r.pod_spec, "volumes", [])
	raw := object.get(v.hostPath, "path", "")
	startswith(raw, "/")
	trim_right(raw, "/") in sensitive
	res := {"msg": sprintf("%s mounts the host directory %s (volume %q)", [r.id, raw, v.name]), "line": lib.line(v.hostPath, "path"), "resource": r.id}
}
