# VIGIL-AZURE-008: SQL firewall rule allows the whole Internet.
package vigil.rules.azure_008

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-008",
	"title": "SQL firewall rule allows the whole Internet",
	"severity": "HIGH",
	"description": "A firewall rule from 0.0.0.0 to 255.255.255.255 lets any address on the Internet connect to the server and try credentials.",
	"remediation": "Allow only the addresses of the clients that need the database, or use private endpoints.",
	"references": [
		"CIS Microsoft Azure Foundations Benchmark v2.0.0 4.1.2",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/mssql_firewall_rule",
		"https://learn.microsoft.com/azure/azure-sql/database/firewall-configure"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"azurerm_mssql_firewall_rule", "azurerm_sql_firewall_rule", "azurerm_postgresql_flexible_server_firewall_rule", "azurerm_mysql_flexible_server_firewall_rule"}
	r.attributes.start_ip_address == "0.0.0.0"
	r.attributes.end_ip_address == "255.255.255.255"
	res := {"msg": sprintf("%s allows every IPv4 address", [r.id]), "line": lib.line(r.attributes, "end_ip_address"), "resource": r.id}
}
