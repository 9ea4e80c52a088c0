# VIGIL-COMPOSE-014: User namespace remapping disabled.
package vigil.rules.compose_014

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-014",
	"title": "User namespace remapping disabled",
	"severity": "MEDIUM",
	"description": "On a daemon configured with user namespace remapping, `userns_mode: host` opts the container out of it: root in the container is root on the host again.",
	"remediation": "Remove `userns_mode: host`.",
	"references": ["CIS Docker Benchmark 5.30", "https://docs.docker.com/reference/compose-file/services/#userns_mode"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	object.get(s.service, "userns_mode", null) == "host"
	res := {"msg": sprintf("service %q opts out of user namespace remapping", [s.name]), "line": lib.line(s.service, "userns_mode"), "resource": s.id}
}
