# VIGIL-CFN-005: S3 bucket versioning not enabled.
package vigil.rules.cfn_005

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-005",
	"title": "S3 bucket versioning not enabled",
	"severity": "LOW",
	"description": "Without versioning an overwritten or deleted object is gone: a faulty job, a mistaken delete or ransomware that rewrites objects cannot be undone.",
	"remediation": "Set `VersioningConfiguration.Status: Enabled` (and a lifecycle rule that expires old versions).",
	"references": ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::S3::Bucket"
	not lib.has(r.properties, "VersioningConfiguration")
	res := {"msg": sprintf("S3 bucket %s has no versioning", [r.id]), "line": r.line, "resource": r.id}
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::S3::Bucket"
	v := r.properties.VersioningConfiguration
	is_object(v)
	v.Status == "Suspended"
	res := {"msg": sprintf("S3 bucket %s has versioning suspended", [r.id]), "line": lib.line(v, "Status"), "resource": r.id}
}
