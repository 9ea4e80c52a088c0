# VIGIL-AZURE-011: App Service accepts plain HTTP.
package vigil.rules.azure_011

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-011",
	"title": "App Service accepts plain HTTP",
	"severity": "MEDIUM",
	"description": "Without HTTPS-only, the app answers unencrypted HTTP requests, exposing sessions and data in transit.",
	"remediation": "Set `https_only = true`.",
	"references": [
		"CIS Microsoft Azure Foundations Benchmark v2.0.0 9.2",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/linux_web_app#https_only",
		"https://learn.microsoft.com/azure/app-service/configure-ssl-bindings#enforce-https"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_app_service", "azurerm_linux_function_app", "azurerm_windows_function_app"}
	lib.off(r.attributes, "https_only")
	res := {"msg": sprintf("%s accepts HTTP", [r.id]), "line": lib.line(r.attributes, "https_only"), "resource": r.id}
}
