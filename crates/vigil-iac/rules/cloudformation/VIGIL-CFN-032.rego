# VIGIL-CFN-032: EKS secrets not encrypted with a KMS key.
package vigil.rules.cfn_032

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-032",
	"title": "EKS secrets not encrypted with a KMS key",
	"severity": "MEDIUM",
	"description": "Without envelope encryption, Kubernetes Secrets are stored in etcd protected only by the volume encryption AWS manages; anyone who obtains an etcd backup or snapshot reads every Secret. Envelope encryption with a customer KMS key adds a key you control, audit and can revoke.",
	"remediation": "Add `EncryptionConfig` with `Resources: [secrets]` and `Provider.KeyArn` naming a customer-managed KMS key.",
	"references": ["CIS Amazon EKS Benchmark 5.3.1", "https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

# An encryption configuration entry that covers Secrets, or one that
# cannot be read statically (then nothing is reported).
covers_secrets(config) if {
	some c in lib.as_list(config)
	is_object(c)
	"secrets" in lib.as_list(object.get(c, "Resources", []))
}

covers_secrets(config) if lib.intrinsic(config)

covers_secrets(config) if {
	some c in lib.as_list(config)
	lib.intrinsic(c)
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::EKS::Cluster"
	is_object(r.properties)
	not covers_secrets(object.get(r.properties, "EncryptionConfig", []))
	res := {"msg": sprintf("EKS cluster %s does not encrypt Secrets with a KMS key", [r.id]), "line": lib.line_or(r.properties, "EncryptionConfig", r.line), "resource": r.id}
}
