# VIGIL-AZURE-002: Storage account accepts TLS below 1.2.
package vigil.rules.azure_002

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-002",
	"title": "Storage account accepts TLS below 1.2",
	"severity": "MEDIUM",
	"description": "TLS 1.0 and 1.1 have known weaknesses and are deprecated; a storage account that accepts them lets clients negotiate weak connections.",
	"remediation": "Set `min_tls_version = \"TLS1_2\"`.",
	"references": [
		"CIS Microsoft Azure Foundations Benchmark v2.0.0 3.15",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/storage_account#min_tls_version",
		"https://learn.microsoft.com/azure/storage/common/transport-layer-security-configure-minimum-version"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("azurerm_storage_account")
	r.attributes.min_tls_version in {"TLS1_0", "TLS1_1"}
	res := {"msg": sprintf("%s accepts %s", [r.id, r.attributes.min_tls_version]), "line": lib.line(r.attributes, "min_tls_version"), "resource": r.id}
}
