# VIGIL-GCP-013: Compute instance enables the serial port.
package vigil.rules.gcp_013

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-013",
	"title": "Compute instance enables the serial port",
	"severity": "MEDIUM",
	"description": "Interactive serial console access bypasses the instance's network firewall and is reachable by anyone with the right IAM permissions from any address.",
	"remediation": "Remove `serial-port-enable` from the instance metadata (or set it to false).",
	"references": [
		"CIS Google Cloud Platform Foundation Benchmark v2.0.0 4.5",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_instance#metadata",
		"https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-using-serial-console"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in input.resources
	r.type in {"google_compute_instance", "google_compute_instance_template"}
	v := object.get(lib.get(r.attributes, "metadata", {}), "serial-port-enable", null)
	lower(sprintf("%v", [v])) in {"true", "1"}
	res := {"msg": sprintf("%s enables the serial port", [r.id]), "line": lib.line(r.attributes, "metadata"), "resource": r.id}
}
