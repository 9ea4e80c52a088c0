# VIGIL-AZURE-003: Storage account allows public blob access.
package vigil.rules.azure_003

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-003",
	"title": "Storage account allows public blob access",
	"severity": "HIGH",
	"description": "When a storage account allows public access, any container in it can be switched to anonymous read access, exposing its blobs to the Internet.",
	"remediation": "Set `allow_nested_items_to_be_public = false` (the azurerm 3.x default is true).",
	"references": [
		"CIS Microsoft Azure Foundations Benchmark v2.0.0 3.7",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/storage_account#allow_nested_items_to_be_public",
		"https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("azurerm_storage_account")
	some key in ["allow_nested_items_to_be_public", "allow_blob_public_access"]
	r.attributes[key] == true
	res := {"msg": sprintf("%s allows public blob access", [r.id]), "line": lib.line(r.attributes, key), "resource": r.id}
}
