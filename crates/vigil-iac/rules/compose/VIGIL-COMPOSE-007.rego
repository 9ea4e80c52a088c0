# VIGIL-COMPOSE-007: Sensitive host path mounted read-only.
package vigil.rules.compose_007

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-007",
	"title": "Sensitive host path mounted read-only",
	"severity": "LOW",
	"description": "Even read-only, a bind mount of a host system directory exposes the host's configuration, credentials (`/etc/shadow`, SSH host keys, root's files) or kernel interfaces to the container.",
	"remediation": "Mount only the specific files the service needs; monitoring agents that need `/proc` or `/` can be accepted with an inline `vigil:ignore` and a reason.",
	"references": ["CIS Docker Benchmark 5.5", "https://docs.docker.com/reference/compose-file/services/#volumes"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	some v in s.volumes
	v.type == "bind"
	is_string(v.source)
	sensitive(v.source)
	v.read_only
	res := {"msg": sprintf("service %q mounts the host path %s (read-only)", [s.name, v.source]), "line": v.line, "resource": s.id}
}

# A host path whose exposure gives away the host: system directories,
# root's home, the container runtime's state.
sensitive(src) if clean(src) in {
	"/", "/etc", "/proc", "/sys", "/root", "/boot", "/dev", "/run", "/var/run",
	"/home", "/usr", "/lib", "/lib/modules", "/var/lib/docker", "/var/lib/containerd",
	"/var/lib/kubelet", "/etc/kubernetes", "/etc/shadow", "/etc/sudoers", "/etc/ssh",
}

sensitive(src) if {
	some prefix in ["/root/", "/var/lib/docker/", "/var/lib/containerd/", "/var/lib/kubelet/", "/etc/kubernetes/", "/etc/ssh/", "/etc/sudoers.d/", "/proc/", "/boot/"]
	startswith(clean(src), prefix)
}

clean(src) := "/" if regex.match(`^/+$`, src)

clean(src) := trim_right(src, "/") if not regex.match(`^/+$`, src)
