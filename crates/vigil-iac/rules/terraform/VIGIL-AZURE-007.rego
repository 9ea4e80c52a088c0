# VIGIL-AZURE-007: SQL server reachable from public networks.
package vigil.rules.azure_007

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-007",
	"title": "SQL server reachable from public networks",
	"severity": "MEDIUM",
	"description": "With public network access enabled, the server's endpoint is reachable from the Internet and only its firewall rules protect it; private endpoints keep it off the Internet.",
	"remediation": "Set `public_network_access_enabled = false` and connect through a private endpoint.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/mssql_server#public_network_access_enabled",
		"https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("azurerm_mssql_server")
	lib.get(r.attributes, "public_network_access_enabled", true) == true
	res := {"msg": sprintf("%s allows public network access", [r.id]), "line": lib.line(r.attributes, "public_network_access_enabled"), "resource": r.id}
}
