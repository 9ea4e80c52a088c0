# VIGIL-AZURE-001: Storage account accepts unencrypted HTTP.
package vigil.rules.azure_001

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-001",
	"title": "Storage account accepts unencrypted HTTP",
	"severity": "HIGH",
	"description": "When secure transfer is not required, clients can reach blobs, files and queues over plain HTTP, exposing data and shared keys in transit.",
	"remediation": "Set `https_traffic_only_enabled = true` (`enable_https_traffic_only` in azurerm 3.x).",
	"references": [
		"CIS Microsoft Azure Foundations Benchmark v2.0.0 3.1",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/storage_account",
		"https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("azurerm_storage_account")
	some key in ["https_traffic_only_enabled", "enable_https_traffic_only"]
	r.attributes[key] == false
	res := {"msg": sprintf("%s accepts HTTP", [r.id]), "line": lib.line(r.attributes, key), "resource": r.id}
}
