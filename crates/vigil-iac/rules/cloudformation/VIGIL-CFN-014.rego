# VIGIL-CFN-014: RDS automated backups turned off.
package vigil.rules.cfn_014

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-014",
	"title": "RDS automated backups turned off",
	"severity": "MEDIUM",
	"description": "A backup retention period of 0 turns automated backups and point-in-time recovery off: data lost to a bad migration, a deletion or ransomware cannot be restored.",
	"remediation": "Set `BackupRetentionPeriod` to at least 7 days.",
	"references": ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html"],
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
	lib.num(r.properties.BackupRetentionPeriod) == 0
	res := {"msg": sprintf("RDS instance %s keeps no automated backups", [r.id]), "line": lib.line(r.properties, "BackupRetentionPeriod"), "resource": r.id}
}
