# VIGIL-AZURE-009: Key Vault purge protection disabled.
package vigil.rules.azure_009

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-009",
	"title": "Key Vault purge protection disabled",
	"severity": "MEDIUM",
	"description": "Without purge protection, a deleted vault or key can be purged before its retention period ends, destroying the keys that encrypt your data for good.",
	"remediation": "Set `purge_protection_enabled = true`.",
	"references": [
		"CIS Microsoft Azure Foundations Benchmark v2.0.0 8.5",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/key_vault#purge_protection_enabled",
		"https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("azurerm_key_vault")
	lib.off(r.attributes, "purge_protection_enabled")
	res := {"msg": sprintf("%s has no purge protection", [r.id]), "line": lib.line(r.attributes, "purge_protection_enabled"), "resource": r.id}
}
