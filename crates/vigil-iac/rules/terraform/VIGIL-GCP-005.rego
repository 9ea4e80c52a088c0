# VIGIL-GCP-005: Cloud SQL instance accepts connections from the whole Internet.
package vigil.rules.gcp_005

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-005",
	"title": "Cloud SQL instance accepts connections from the whole Internet",
	"severity": "CRITICAL",
	"description": "An authorized network of 0.0.0.0/0 on a public IP lets anyone on the Internet reach the database and try credentials.",
	"remediation": "Remove the 0.0.0.0/0 authorized network; use private IP or the Cloud SQL Auth Proxy.",
	"references": [
		"CIS Google Cloud Platform Foundation Benchmark v2.0.0 6.5",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/sql_database_instance#authorized_networks",
		"https://cloud.google.com/sql/docs/mysql/authorize-networks"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("google_sql_database_instance")
	some s in lib.blocks(r.attributes, "settings")
	some ip in lib.blocks(s, "ip_configuration")
	lib.get(ip, "ipv4_enabled", true) == true
	some n in lib.blocks(ip, "authorized_networks")
	lib.open_cidr(n.value)
	res := {"msg": sprintf("%s authorizes %s", [r.id, n.value]), "line": lib.line(n, "value"), "resource": r.id}
}
