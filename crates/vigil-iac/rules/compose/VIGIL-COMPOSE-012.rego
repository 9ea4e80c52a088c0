# VIGIL-COMPOSE-012: Administrative or database port published on all interfaces.
package vigil.rules.compose_012

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-012",
	"title": "Administrative or database port published on all interfaces",
	"severity": "MEDIUM",
	"description": "A port published without a host address listens on every interface of the host, and Docker's own firewall rules bypass host firewalls such as ufw: SSH, RDP, database, cache, search and Docker API ports become reachable from the network.",
	"remediation": "Bind the port to the loopback address (`127.0.0.1:5432:5432`), or do not publish it and reach the service over the Compose network.",
	"references": ["CIS Docker Benchmark 5.13", "https://docs.docker.com/engine/network/packet-filtering-firewalls/", "https://docs.docker.com/reference/compose-file/services/#ports"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	some p in s.ports
	all_interfaces(p.host_ip)
	some port in admin_ports
	exposes(p, port)
	res := {"msg": sprintf("service %q publishes port %d on all interfaces", [s.name, port]), "line": p.line, "resource": s.id}
}

admin_ports := {22, 23, 445, 1433, 1521, 2375, 2376, 2379, 3306, 3389, 5432, 5900, 5984, 6379, 9042, 9200, 11211, 27017}

all_interfaces(ip) if ip == null

all_interfaces(ip) if ip in {"0.0.0.0", "::"}

exposes(p, port) if {
	is_number(p.target_start)
	is_number(p.target_end)
	p.target_start <= port
	port <= p.target_end
}

exposes(p, port) if {
	is_number(p.published_start)
	is_number(p.published_end)
	p.published_start <= port
	port <= p.published_end
}
