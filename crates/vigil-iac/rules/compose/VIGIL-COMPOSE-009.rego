# VIGIL-COMPOSE-009: Confinement disabled by security_opt.
package vigil.rules.compose_009

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-009",
	"title": "Confinement disabled by security_opt",
	"severity": "HIGH",
	"description": "`seccomp:unconfined`, `apparmor:unconfined`, `label:disable` and `systempaths:unconfined` switch off the kernel filters and mandatory access control that stop a compromised process from reaching the host.",
	"remediation": "Remove the option; if a system call is missing, give a custom seccomp profile that allows only it.",
	"references": ["CIS Docker Benchmark 5.1", "CIS Docker Benchmark 5.2", "CIS Docker Benchmark 5.21", "https://docs.docker.com/reference/compose-file/services/#security_opt"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	some o in object.get(s.service, "security_opt", [])
	is_string(o)
	opt := replace(lower(o), "=", ":")
	opt in {"seccomp:unconfined", "apparmor:unconfined", "label:disable", "systempaths:unconfined"}
	res := {"msg": sprintf("service %q sets security_opt %s", [s.name, o]), "line": lib.line(s.service, "security_opt"), "resource": s.id}
}
