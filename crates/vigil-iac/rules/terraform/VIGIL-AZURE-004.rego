# VIGIL-AZURE-004: Storage container allows anonymous access.
package vigil.rules.azure_004

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-004",
	"title": "Storage container allows anonymous access",
	"severity": "HIGH",
	"description": "A container with access type `blob` or `container` serves its blobs (and, for `container`, their listing) to anyone without authentication.",
	"remediation": "Set `container_access_type = \"private\"` and share data with SAS tokens or Entra ID roles.",
	"references": [
		"CIS Microsoft Azure Foundations Benchmark v2.0.0 3.7",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/storage_container",
		"https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-configure"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("azurerm_storage_container")
	r.attributes.container_access_type in {"blob", "container"}
	res := {"msg": sprintf("%s allows anonymous %s access", [r.id, r.attributes.container_access_type]), "line": lib.line(r.attributes, "container_access_type"), "resource": r.id}
}
