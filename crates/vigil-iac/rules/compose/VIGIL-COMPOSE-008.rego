# VIGIL-COMPOSE-008: Dangerous capability added.
package vigil.rules.compose_008

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-008",
	"title": "Dangerous capability added",
	"severity": "HIGH",
	"description": "Capabilities such as SYS_ADMIN, SYS_PTRACE, SYS_MODULE, NET_ADMIN or ALL give a container enough power over the kernel, other processes or the network to break out of it or attack the host.",
	"remediation": "Remove the capability; drop all (`cap_drop: [ALL]`) and add back only narrow ones such as NET_BIND_SERVICE.",
	"references": ["CIS Docker Benchmark 5.3", "https://docs.docker.com/reference/compose-file/services/#cap_add"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	some c in object.get(s.service, "cap_add", [])
	is_string(c)
	cap := trim_prefix(upper(c), "CAP_")
	cap in {
		"ALL", "SYS_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT",
		"NET_ADMIN", "DAC_READ_SEARCH", "BPF", "MAC_ADMIN", "MAC_OVERRIDE",
	}
	res := {"msg": sprintf("service %q adds the capability %s", [s.name, cap]), "line": lib.line(s.service, "cap_add"), "resource": s.id}
}
