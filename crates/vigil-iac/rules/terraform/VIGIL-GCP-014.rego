# VIGIL-GCP-014: KMS key not rotated within 90 days.
package vigil.rules.gcp_014

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GCP-014",
	"title": "KMS key not rotated within 90 days",
	"severity": "MEDIUM",
	"description": "A key that is never rotated (or rotated rarely) protects ever more data with one key version; regular rotation limits the damage of a leaked version.",
	"remediation": "Set `rotation_period` to 7776000s (90 days) or less.",
	"references": [
		"CIS Google Cloud Platform Foundation Benchmark v2.0.0 1.10",
		"https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/kms_crypto_key#rotation_period",
		"https://cloud.google.com/kms/docs/key-rotation"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("google_kms_crypto_key")
	lib.get(r.attributes, "purpose", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
	not rotated(r.attributes)
	res := {"msg": sprintf("%s is not rotated within 90 days", [r.id]), "line": lib.line(r.attributes, "rotation_period"), "resource": r.id}
}

rotated(a) if {
	p := lib.get(a, "rotation_period", "")
	is_string(p)
	regex.match(`^[0-9]+(\.[0-9]+)?s$`, p)
	to_number(trim_suffix(p, "s")) <= 7776000
}

rotated(a) if lib.unknown(lib.get(a, "rotation_period", ""))
