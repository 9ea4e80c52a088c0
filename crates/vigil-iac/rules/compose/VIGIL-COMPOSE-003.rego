# VIGIL-COMPOSE-003: Service shares the host PID namespace.
package vigil.rules.compose_003

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-003",
	"title": "Service shares the host PID namespace",
	"severity": "HIGH",
	"description": "With `pid: host` the container sees every process of the host and, with enough privileges, can signal or trace them.",
	"remediation": "Remove `pid: host`.",
	"references": ["CIS Docker Benchmark 5.15", "https://docs.docker.com/reference/compose-file/services/#pid"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	object.get(s.service, "pid", null) == "host"
	res := {"msg": sprintf("service %q shares the host PID namespace", [s.name]), "line": lib.line(s.service, "pid"), "resource": s.id}
}
