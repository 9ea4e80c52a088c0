# VIGIL-CFN-015: RDS deletion protection off.
package vigil.rules.cfn_015

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-015",
	"title": "RDS deletion protection off",
	"severity": "LOW",
	"description": "Without deletion protection a stack update that replaces or removes the database, or a mistaken API call, deletes it at once.",
	"remediation": "Set `DeletionProtection: true` on production instances and clusters (and a `DeletionPolicy` of `Snapshot` or `Retain`).",
	"references": ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection"],
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
	lib.false_or_absent(r.properties, "DeletionProtection")
	res := {"msg": sprintf("RDS instance %s has no deletion protection", [r.id]), "line": lib.line_or(r.properties, "DeletionProtection", r.line), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::RDS::DBCluster"
	lib.false_or_absent(r.properties, "DeletionProtection")
	res := {"msg": sprintf("RDS cluster %s has no deletion protection", [r.id]), "line": lib.line_or(r.properties, "DeletionProtection", r.line), "resource": r.id}
}
