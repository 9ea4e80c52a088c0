# VIGIL-GCP-006: Cloud SQL instance does not require SSL.
package vigil.rules.gcp_006

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-006",
	"title": "Cloud SQL instance does not require SSL",
	"severity": "HIGH",
	"description": "A database with a public IP that accepts unencrypted connections exposes credentials and data in transit.",
	"remediation": "Set `ssl_mode = \"ENCRYPTED_ONLY\"` (or `TRUSTED_CLIENT_CERTIFICATE_REQUIRED`) in `ip_configuration`; older providers: `require_ssl = true`.",
	"references": [
		"CIS Google Cloud Platform Foundation Benchmark v2.0.0 6.4",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/sql_database_instance#ssl_mode",
		"https://cloud.google.com/sql/docs/postgres/configure-ssl-instance"
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
	lib.off(ip, "require_ssl")
	lib.get(ip, "ssl_mode", "ALLOW_UNENCRYPTED_AND_ENCRYPTED") == "ALLOW_UNENCRYPTED_AND_ENCRYPTED"
	res := {"msg": sprintf("%s accepts unencrypted connections", [r.id]), "line": lib.line(ip, "ssl_mode"), "resource": r.id}
}
