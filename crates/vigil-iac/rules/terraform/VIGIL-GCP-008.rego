# VIGIL-GCP-008: GKE cluster uses basic authentication.
package vigil.rules.gcp_008

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-008",
	"title": "GKE cluster uses basic authentication",
	"severity": "HIGH",
	"description": "Basic authentication uses a static user name and password that never expire and are sent with every request; anyone who learns them administers the cluster.",
	"remediation": "Remove `username`/`password` from `master_auth` and authenticate with Google identities.",
	"references": [
		"CIS Google Kubernetes Engine (GKE) Benchmark v1.5.0 5.8.1",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/container_cluster#master_auth",
		"https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("google_container_cluster")
	some m in lib.blocks(r.attributes, "master_auth")
	some key in ["username", "password"]
	v := lib.get(m, key, "")
	v != ""
	not lib.unknown(v)
	res := {"msg": sprintf("%s sets a basic-auth %s", [r.id, key]), "line": lib.line(m, key), "resource": r.id}
}
