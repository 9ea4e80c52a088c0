# VIGIL-COMPOSE-013: Service runs as root.
package vigil.rules.compose_013

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-013",
	"title": "Service runs as root",
	"severity": "MEDIUM",
	"description": "A service with `user: root` (or user ID 0) runs its process as root inside the container; a compromise of it starts with root's privileges, one kernel bug away from the host.",
	"remediation": "Run as an unprivileged user (`user: \"1000:1000\"`) and give it ownership of the files it writes.",
	"references": ["CIS Docker Benchmark 4.1", "https://docs.docker.com/reference/compose-file/services/#user"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	u := object.get(s.service, "user", null)
	root(u)
	res := {"msg": sprintf("service %q runs as root", [s.name]), "line": lib.line(s.service, "user"), "resource": s.id}
}

root(u) if u == 0

root(u) if {
	is_string(u)
	regex.match(`^(root|0)(:.*)?$`, u)
}
