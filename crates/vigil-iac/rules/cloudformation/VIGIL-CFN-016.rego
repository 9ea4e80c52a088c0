# VIGIL-CFN-016: EBS volume not encrypted.
package vigil.rules.cfn_016

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-016",
	"title": "EBS volume not encrypted",
	"severity": "MEDIUM",
	"description": "An unencrypted EBS volume, and every snapshot taken of it, can be read by anyone who gets hold of a copy, for instance through a snapshot shared by mistake.",
	"remediation": "Set `Encrypted: true` (with a `KmsKeyId` where needed), or turn on EBS encryption by default for the account and region.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 2.2.1", "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::EC2::Volume"
	lib.is_false(r.properties.Encrypted)
	res := {"msg": sprintf("EBS volume %s is not encrypted", [r.id]), "line": lib.line(r.properties, "Encrypted"), "resource": r.id}
}

# A volume made from a snapshot inherits the snapshot's encryption.
deny contains res if {
	some r in input.resources
	r.type == "AWS::EC2::Volume"
	not lib.has(r.properties, "Encrypted")
	not lib.has(r.properties, "SnapshotId")
	res := {"msg": sprintf("EBS volume %s does not ask for encryption", [r.id]), "line": r.line, "resource": r.id}
}
