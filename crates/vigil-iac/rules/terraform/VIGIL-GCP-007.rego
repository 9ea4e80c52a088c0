# VIGIL-GCP-007: GKE cluster uses legacy ABAC.
package vigil.rules.gcp_007

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-007",
	"title": "GKE cluster uses legacy ABAC",
	"severity": "HIGH",
	"description": "Legacy attribute-based access control grants broad, static permissions that bypass Kubernetes RBAC; RBAC policies cannot restrict what ABAC allows.",
	"remediation": "Set `enable_legacy_abac = false` and manage access with Kubernetes RBAC and IAM.",
	"references": [
		"CIS Google Kubernetes Engine (GKE) Benchmark v1.5.0 5.8.3",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/container_cluster#enable_legacy_abac",
		"https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#leave_abac_disabled_default_for_110"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("google_container_cluster")
	r.attributes.enable_legacy_abac == true
	res := {"msg": sprintf("%s enables legacy ABAC", [r.id]), "line": lib.line(r.attributes, "enable_legacy_abac"), "resource": r.id}
}
