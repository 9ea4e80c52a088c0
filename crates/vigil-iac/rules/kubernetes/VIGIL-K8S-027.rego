# VIGIL-K8S-027: ClusterRole can create workloads.
package vigil.rules.k8s_027

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-027",
	"title": "ClusterRole can create workloads",
	"severity": "MEDIUM",
	"description": "Creating pods (directly or through Deployments, Jobs, DaemonSets...) in any namespace means running a pod with any service account and any Secret of that namespace: cluster-wide, it reaches the most privileged ones.",
	"remediation": "Bind a namespaced Role instead, in the namespaces where the subject deploys.",
	"references": ["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

workload_resources := {"pods", "deployments", "daemonsets", "statefulsets", "replicasets", "replicationcontrollers", "jobs", "cronjobs"}

deny contains res if {
	some r in input.resources
	r.kind == "ClusterRole"
	some rule in lib.rbac_rules(r)
	some resource in object.get(rule, "resources", [])
	resource in workload_resources
	lib.grants_verb(rule, {"create"})
	res := {"msg": sprintf("%s can create %s in every namespace", [r.id, resource]), "line": lib.line(rule, "resources"), "resource": r.id}
}
