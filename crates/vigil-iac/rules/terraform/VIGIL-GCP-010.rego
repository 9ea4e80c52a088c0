# VIGIL-GCP-010: Compute instance uses the default service account with full access.
package vigil.rules.gcp_010

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-010",
	"title": "Compute instance uses the default service account with full access",
	"severity": "HIGH",
	"description": "The Compute Engine default service account has the Editor role on the project; with the cloud-platform scope, any process on the VM can use it to change almost anything in the project.",
	"remediation": "Create a dedicated service account with only the roles the workload needs and set it in `service_account.email`.",
	"references": [
		"CIS Google Cloud Platform Foundation Benchmark v2.0.0 4.2",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_instance#service_account",
		"https://cloud.google.com/compute/docs/access/service-accounts#default_service_account"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

full := {"cloud-platform", "https://www.googleapis.com/auth/cloud-platform"}

deny contains res if {
	some r in input.resources
	r.type in {"google_compute_instance", "google_compute_instance_template"}
	some sa in lib.blocks(r.attributes, "service_account")
	default_account(lib.get(sa, "email", ""))
	some s in lib.as_list(lib.get(sa, "scopes", []))
	s in full
	res := {"msg": sprintf("%s runs as the default service account with full API access", [r.id]), "line": lib.line(sa, "scopes"), "resource": r.id}
}

default_account(e) if e == ""

default_account(e) if {
	is_string(e)
	endswith(e, "-compute@developer.gserviceaccount.com")
}
