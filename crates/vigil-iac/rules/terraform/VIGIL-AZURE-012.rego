# VIGIL-AZURE-012: PostgreSQL server does not enforce SSL.
package vigil.rules.azure_012

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-012",
	"title": "PostgreSQL server does not enforce SSL",
	"severity": "HIGH",
	"description": "Without SSL enforcement, clients may connect unencrypted and send credentials and query results in clear text.",
	"remediation": "Set `ssl_enforcement_enabled = true` with `ssl_minimal_tls_version_enforced = \"TLS1_2\"`.",
	"references": [
		"CIS Microsoft Azure Foundations Benchmark v2.0.0 4.3.1",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/postgresql_server",
		"https://learn.microsoft.com/azure/postgresql/single-server/concepts-ssl-connection-security"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"azurerm_postgresql_server", "azurerm_mysql_server"}
	r.attributes.ssl_enforcement_enabled == false
	res := {"msg": sprintf("%s does not enforce SSL", [r.id]), "line": lib.line(r.attributes, "ssl_enforcement_enabled"), "resource": r.id}
}
