# VIGIL-COMPOSE-004: Service shares the host IPC namespace.
package vigil.rules.compose_004

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-004",
	"title": "Service shares the host IPC namespace",
	"severity": "HIGH",
	"description": "With `ipc: host` the container shares the host's shared memory segments and semaphores, and can read or corrupt data of host processes that use them.",
	"remediation": "Remove `ipc: host`; use `ipc: shareable`/`service:NAME` to share IPC between services only.",
	"references": ["CIS Docker Benchmark 5.16", "https://docs.docker.com/reference/compose-file/services/#ipc"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	object.get(s.service, "ipc", null) == "host"
	res := {"msg": sprintf("service %q shares the host IPC namespace", [s.name]), "line": lib.line(s.service, "ipc"), "resource": s.id}
}
