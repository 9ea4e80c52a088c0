# VIGIL-K8S-042: Container runtime socket mounted.
package vigil.rules.k8s_042

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-042",
	"title": "Container runtime socket mounted",
	"severity": "CRITICAL",
	"description": "The container runtime's socket (Docker, containerd, CRI-O, Podman) starts containers on the node: a pod that mounts it can run a privileged container with the node's filesystem and owns the node.",
	"remediation": "Do not mount the runtime socket; build images with a daemonless builder, and read container metadata through the API server.",
	"references": ["CIS Docker Benchmark 5.31", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

sockets := {
	"/var/run/docker.sock", "/run/docker.sock",
	"/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock",
	"/var/run/crio/crio.sock", "/run/crio/crio.sock",
	"/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock",
	"/var/run/podman/podman.sock", "/run/podman/podman.sock",
	"/var/run", "/run", "/var/run/containerd", "/run/containerd", "/var/run/crio", "/run/crio",
}

deny contains res if {
	some r in input.resources
	r.pod_spec != null
	some v in object.get(r.pod_spec, "volumes", [])
	path := trim_right(object.get(v.hostPath, "path", ""), "/")
	path in sockets
	res := {"msg": sprintf("%s mounts the container runtime socket %s (volume %q)", [r.id, v.hostPath.path, v.name]), "line": lib.line(v.hostPath, "path"), "resource": r.id}
}
