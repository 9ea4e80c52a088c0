# VIGIL-AWS-023: KMS key rotation disabled.
package vigil.rules.aws_023

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-023",
	"title": "KMS key rotation disabled",
	"severity": "MEDIUM",
	"description": "Rotating a symmetric key yearly limits how much data one key version protects and how long a leaked key version stays useful.",
	"remediation": "Set `enable_key_rotation = true` on symmetric customer-managed keys.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 3.8",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kms_key",
		"https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_kms_key")
	lib.get(r.attributes, "customer_master_key_spec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	lib.off(r.attributes, "enable_key_rotation")
	res := {"msg": sprintf("%s is not rotated", [r.id]), "line": lib.line(r.attributes, "enable_key_rotation"), "resource": r.id}
}
