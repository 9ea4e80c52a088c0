# VIGIL-CFN-004: S3 bucket without default encryption configured.
package vigil.rules.cfn_004

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-004",
	"title": "S3 bucket without default encryption configured",
	"severity": "LOW",
	"description": "A bucket without `BucketEncryption` gets only the encryption AWS applies by default (SSE-S3), which any principal with read access can decrypt. Configuring encryption in the template, with a KMS key where the data is sensitive, adds key-level access control and audit.",
	"remediation": "Add `BucketEncryption.ServerSideEncryptionConfiguration` with `SSEAlgorithm: aws:kms` (and a `KMSMasterKeyID`) or at least `AES256`.",
	"references": ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html", "CIS AWS Foundations Benchmark v1.5.0 2.1.1"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::S3::Bucket"
	not lib.has(r.properties, "BucketEncryption")
	res := {"msg": sprintf("S3 bucket %s has no default encryption configuration", [r.id]), "line": r.line, "resource": r.id}
}
