# VIGIL-COMPOSE-006: Sensitive host path mounted read-write.
package vigil.rules.compose_006

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-006",
	"title": "Sensitive host path mounted read-write",
	"severity": "HIGH",
	"description": "A writable bind mount of a host system directory (`/`, `/etc`, `/proc`, `/root`, `/var/lib/docker`, ...) lets the container change the host: add users, cron jobs or SSH keys, or tamper with other containers.",
	"remediation": "Mount only the specific files the service needs, read-only (`:ro`), or use a named volume.",
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
	not v.read_only
	res := {"msg": sprintf("service %q mounts the host path %s read-write", [s.name, v.source]), "line": v.line, "resource": s.id}
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
