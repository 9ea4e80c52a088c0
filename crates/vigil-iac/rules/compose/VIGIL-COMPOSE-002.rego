# VIGIL-COMPOSE-002: Service uses the host network.
package vigil.rules.compose_002

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-002",
	"title": "Service uses the host network",
	"severity": "HIGH",
	"description": "With `network_mode: host` the container shares the host's network stack: it can bind any host port, reach services listening on localhost and see all the host's traffic interfaces.",
	"remediation": "Use a bridge network and publish only the ports needed.",
	"references": ["CIS Docker Benchmark 5.9", "https://docs.docker.com/reference/compose-file/services/#network_mode"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	object.get(s.service, "network_mode", null) == "host"
	res := {"msg": sprintf("service %q shares the host network namespace", [s.name]), "line": lib.line(s.service, "network_mode"), "resource": s.id}
}
