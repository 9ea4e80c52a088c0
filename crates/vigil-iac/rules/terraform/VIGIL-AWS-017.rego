# VIGIL-AWS-017: EBS volume not encrypted.
package vigil.rules.aws_017

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-017",
	"title": "EBS volume not encrypted",
	"severity": "MEDIUM",
	"description": "Data on an unencrypted EBS volume, and every snapshot of it, is readable by whoever gets access to the snapshot or the volume.",
	"remediation": "Set `encrypted = true` (optionally with `kms_key_id`), or turn on `aws_ebs_encryption_by_default` for the account.",
	"references": [
		"CIS AWS Foundations Benchmark v1.5.0 2.2.1",
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ebs_volume",
		"https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_ebs_volume")
	lib.off(r.attributes, "encrypted")
	lib.get(r.attributes, "snapshot_id", null) == null
	not default_encryption
	res := {"msg": sprintf("%s is not encrypted", [r.id]), "line": lib.line(r.attributes, "encrypted"), "resource": r.id}
}

default_encryption if {
	some d in lib.resources("aws_ebs_encryption_by_default")
	lib.get(d.attributes, "enabled", true) != false
}
