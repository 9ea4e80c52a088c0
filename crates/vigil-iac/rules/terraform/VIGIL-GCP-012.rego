# VIGIL-GCP-012: Compute instance has a public IP address.
package vigil.rules.gcp_012

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-012",
	"title": "Compute instance has a public IP address",
	"severity": "LOW",
	"description": "An `access_config` block gives the instance an external address, reachable from the Internet wherever firewall rules allow it.",
	"remediation": "Remove `access_config` and reach the Internet through Cloud NAT; administer through IAP.",
	"references": [
		"CIS Google Cloud Platform Foundation Benchmark v2.0.0 4.9",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_instance#access_config",
		"https://cloud.google.com/compute/docs/ip-addresses/reserve-static-external-ip-address"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"google_compute_instance", "google_compute_instance_template"}
	some n in lib.blocks(r.attributes, "network_interface")
	some a in lib.blocks(n, "access_config")
	res := {"msg": sprintf("%s has an external IP address", [r.id]), "line": a.__line__, "resource": r.id}
}
