# VIGIL-GCP-009: GKE nodes have public IP addresses.
package vigil.rules.gcp_009

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-009",
	"title": "GKE nodes have public IP addresses",
	"severity": "MEDIUM",
	"description": "Without private nodes, every node gets a public address and can be reached from the Internet wherever firewall rules allow it.",
	"remediation": "Add `private_cluster_config { enable_private_nodes = true }` (with a `master_ipv4_cidr_block`) and reach the Internet through Cloud NAT.",
	"references": [
		"CIS Google Kubernetes Engine (GKE) Benchmark v1.5.0 5.6.5",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/container_cluster#private_cluster_config",
		"https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("google_container_cluster")
	count(lib.blocks(r.attributes, "private_cluster_config")) == 0
	res := {"msg": sprintf("%s does not use private nodes", [r.id]), "resource": r.id}
}

deny contains res if {
	some r in lib.resources("google_container_cluster")
	some p in lib.blocks(r.attributes, "private_cluster_config")
	lib.off(p, "enable_private_nodes")
	res := {"msg": sprintf("%s does not use private nodes", [r.id]), "line": lib.line(p, "enable_private_nodes"), "resource": r.id}
}
