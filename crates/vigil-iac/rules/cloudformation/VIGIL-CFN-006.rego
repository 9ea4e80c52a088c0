# VIGIL-CFN-006: S3 bucket without server access logging.
package vigil.rules.cfn_006

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-006",
	"title": "S3 bucket without server access logging",
	"severity": "LOW",
	"description": "Server access logs record who requested which object; without them an investigation of a leak cannot tell what was read. Buckets that receive logs (log delivery ACL, or named as another bucket's log destination) are not expected to log themselves.",
	"remediation": "Add `LoggingConfiguration` with a `DestinationBucketName` of a dedicated log bucket.",
	"references": ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html", "CIS AWS Foundations Benchmark v3.0.0 3.4"],
	"formats": ["cloudformation"],
	"status": "stable",
}

# Buckets named as another bucket's log destination.
log_targets contains dest.Ref if {
	some b in input.resources
	b.type == "AWS::S3::Bucket"
	c := b.properties.LoggingConfiguration
	is_object(c)
	dest := c.DestinationBucketName
	is_object(dest)
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::S3::Bucket"
	not lib.has(r.properties, "LoggingConfiguration")
	not r.properties.AccessControl == "LogDeliveryWrite"
	not r.id in log_targets
	res := {"msg": sprintf("S3 bucket %s has no server access logging", [r.id]), "line": r.line, "resource": r.id}
}
