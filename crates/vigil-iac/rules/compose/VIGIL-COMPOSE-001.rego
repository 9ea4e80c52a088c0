# VIGIL-COMPOSE-001: Privileged service.
package vigil.rules.compose_001

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-001",
	"title": "Privileged service",
	"severity": "HIGH",
	"description": "A privileged container gets every capability and the host's devices, and runs without seccomp or AppArmor confinement: escaping it to the host is trivial.",
	"remediation": "Remove `privileged: true`; add only the capabilities (`cap_add`) or devices (`devices`) the service needs.",
	"references": ["CIS Docker Benchmark 5.4", "https://docs.docker.com/reference/compose-file/services/#privileged"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	object.get(s.service, "privileged", null) == true
	res := {"msg": sprintf("service %q is privileged", [s.name]), "line": lib.line(s.service, "privileged"), "resource": s.id}
}
