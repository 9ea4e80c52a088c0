# VIGIL-COMPOSE-005: Container runtime socket mounted.
package vigil.rules.compose_005

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-005",
	"title": "Container runtime socket mounted",
	"severity": "HIGH",
	"description": "The Docker (or containerd, Podman) socket gives full control of the container runtime: whoever reaches it can start a privileged container that mounts the host's root. Mounting it read-only does not help; the API is still usable.",
	"remediation": "Do not mount the runtime socket; if a tool needs the API, put an authorising proxy that allows only the calls it needs in front of it.",
	"references": ["CIS Docker Benchmark 5.31", "https://docs.docker.com/engine/security/#docker-daemon-attack-surface"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	some v in s.volumes
	v.type == "bind"
	socket(v.source)
	res := {"msg": sprintf("service %q mounts the runtime socket %s", [s.name, v.source]), "line": v.line, "resource": s.id}
}

socket(p) if p in {
	"/var/run/docker.sock", "/run/docker.sock",
	"/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock",
	"/var/run/podman/podman.sock", "/run/podman/podman.sock",
	"/var/run/crio/crio.sock", "/run/crio/crio.sock",
}
