# VIGIL-AZURE-010: AKS cluster without Kubernetes RBAC.
package vigil.rules.azure_010

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AZURE-010",
	"title": "AKS cluster without Kubernetes RBAC",
	"severity": "HIGH",
	"description": "Without Kubernetes RBAC every authenticated user has full control of the cluster; permissions cannot be scoped to namespaces or roles.",
	"remediation": "Set `role_based_access_control_enabled = true` (it cannot be changed on an existing cluster).",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/kubernetes_cluster#role_based_access_control_enabled",
		"https://learn.microsoft.com/azure/aks/concepts-identity"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("azurerm_kubernetes_cluster")
	r.attributes.role_based_access_control_enabled == false
	res := {"msg": sprintf("%s disables Kubernetes RBAC", [r.id]), "line": lib.line(r.attributes, "role_based_access_control_enabled"), "resource": r.id}
}

# azurerm 2.x
deny contains res if {
	some r in lib.resources("azurerm_kubernetes_cluster")
	some b in lib.blocks(r.attributes, "role_based_access_control")
	b.enabled == false
	res := {"msg": sprintf("%s disables Kubernetes RBAC", [r.id]), "line": lib.line(b, "enabled"), "resource": r.id}
}
