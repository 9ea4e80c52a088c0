# VIGIL-CFN-012: RDS storage not encrypted.
package vigil.rules.cfn_012

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-012",
	"title": "RDS storage not encrypted",
	"severity": "HIGH",
	"description": "An unencrypted database leaves its storage, automated backups, snapshots and read replicas readable to anyone who obtains a copy; encryption can only be chosen when the database is created.",
	"remediation": "Set `StorageEncrypted: true` (and a `KmsKeyId` for a customer managed key) on the instance or Aurora cluster.",
	"references": ["CIS AWS Foundations Benchmark v3.0.0 2.3.1", "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

# A stand-alone DB instance: not an Aurora cluster member (the cluster
# decides its storage), not a read replica nor a restored snapshot (they
# inherit their source's settings).
standalone(r) if {
	r.type == "AWS::RDS::DBInstance"
	not lib.has(r.properties, "DBClusterIdentifier")
	not lib.has(r.properties, "SourceDBInstanceIdentifier")
	not lib.has(r.properties, "SourceDBClusterIdentifier")
	not lib.has(r.properties, "DBSnapshotIdentifier")
	not aurora(r.properties)
}

aurora(p) if {
	is_string(p.Engine)
	startswith(lower(p.Engine), "aurora")
}

deny contains res if {
	some r in input.resources
	standalone(r)
	lib.false_or_absent(r.properties, "StorageEncrypted")
	res := {"msg": sprintf("RDS instance %s does not encrypt its storage", [r.id]), "line": lib.line_or(r.properties, "StorageEncrypted", r.line), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::RDS::DBCluster"
	not lib.has(r.properties, "SnapshotIdentifier")
	not lib.has(r.properties, "SourceDBClusterIdentifier")
	lib.false_or_absent(r.properties, "StorageEncrypted")
	res := {"msg": sprintf("RDS cluster %s does not encrypt its storage", [r.id]), "line": lib.line_or(r.properties, "StorageEncrypted", r.line), "resource": r.id}
}
