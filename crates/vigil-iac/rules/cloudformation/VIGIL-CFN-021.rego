# VIGIL-CFN-021: KMS key rotation off.
package vigil.rules.cfn_021

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-021",
	"title": "KMS key rotation off",
	"severity": "MEDIUM",
	"description": "Automatic rotation gives a symmetric key new key material every year, limiting how much data one compromised key version protects.",
	"remediation": "Set `EnableKeyRotation: true` on symmetric encryption keys.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 3.6", "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

# Rotation applies to symmetric encryption keys with AWS key material.
rotatable(p) if {
	object.get(p, "KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	object.get(p, "KeyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
	object.get(p, "Origin", "AWS_KMS") == "AWS_KMS"
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::KMS::Key"
	rotatable(r.properties)
	lib.false_or_absent(r.properties, "EnableKeyRotation")
	res := {"msg": sprintf("KMS key %s is not rotated", [r.id]), "line": lib.line_or(r.properties, "EnableKeyRotation", r.line), "resource": r.id}
}
