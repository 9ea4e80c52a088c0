# VIGIL-AZURE-006: Network security group allows RDP from the Internet.
package vigil.rules.azure_006

import data.vigil.lib
import data.vigil.lib.terraform as tf
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-006",
	"title": "Network security group allows RDP from the Internet",
	"severity": "HIGH",
	"description": "RDP open to any source is constantly probed and brute-forced; administration should come from known networks, Azure Bastion or just-in-time access.",
	"remediation": "Restrict `source_address_prefix` to known networks, or use Azure Bastion instead of opening port 3389.",
	"references": [
		"CIS Microsoft Azure Foundations Benchmark v2.0.0 6.1",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/network_security_rule",
		"https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some x in tf.nsg_rules
	tf.nsg_open_port(x.rule, 3389)
	res := {"msg": sprintf("%s allows RDP (port 3389) from the Internet", [x.resource]), "line": lib.line(x.rule, "source_address_prefix"), "resource": x.resource}
}
