# VIGIL-AWS-028: EKS secrets not encrypted with a KMS key.
package vigil.rules.aws_028

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-028",
	"title": "EKS secrets not encrypted with a KMS key",
	"severity": "MEDIUM",
	"description": "Envelope encryption of Kubernetes secrets with your own KMS key keeps them unreadable from etcd backups and lets you audit and revoke access to the key.",
	"remediation": "Add an `encryption_config` block with `resources = [\"secrets\"]` and a KMS key ARN.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster#encryption_config",
		"https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_eks_cluster")
	not encrypts_secrets(r)
	res := {"msg": sprintf("%s does not encrypt secrets with a KMS key", [r.id]), "resource": r.id}
}

encrypts_secrets(r) if {
	some e in lib.blocks(r.attributes, "encryption_config")
	"secrets" in lib.as_list(lib.get(e, "resources", []))
}

# Unknown resources: it may.
encrypts_secrets(r) if {
	some e in lib.blocks(r.attributes, "encryption_config")
	lib.unknown(lib.get(e, "resources", null))
}
