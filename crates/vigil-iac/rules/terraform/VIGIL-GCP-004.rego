# VIGIL-GCP-004: Firewall allows RDP from the Internet.
package vigil.rules.gcp_004

import data.vigil.lib
import data.vigil.lib.terraform as tf
import rego.v1

metadata := {
	"id": "VIGIL-GCP-004",
	"title": "Firewall allows RDP from the Internet",
	"severity": "HIGH",
	"description": "RDP reachable from 0.0.0.0/0 is a constant target of brute-force and exploit attempts; administration should go through IAP TCP forwarding or known networks.",
	"remediation": "Restrict `source_ranges` to known networks, or allow only the IAP range 35.235.240.0/20 and use IAP TCP forwarding.",
	"references": [
		"CIS Google Cloud Platform Foundation Benchmark v2.0.0 3.7",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_firewall",
		"https://cloud.google.com/iap/docs/using-tcp-forwarding"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("google_compute_firewall")
	tf.gcp_open_port(r, 3389)
	res := {"msg": sprintf("%s allows RDP (port 3389) from the Internet", [r.id]), "line": lib.line(r.attributes, "source_ranges"), "resource": r.id}
}
