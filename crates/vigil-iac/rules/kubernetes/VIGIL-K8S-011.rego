# VIGIL-K8S-011: No CPU or memory limit.
package vigil.rules.k8s_011

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-011",
	"title": "No CPU or memory limit",
	"severity": "LOW",
	"description": "A container without limits can take all of a node's CPU or memory, starving its neighbours (a denial of service, by accident or attack).",
	"remediation": "Set `resources.limits.cpu` and `resources.limits.memory`.",
	"references": ["CIS Kubernetes Benchmark 5.7", "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	some res_name in ["cpu", "memory"]
	not c.resources.limits[res_name]
	res := {"msg": sprintf("container %q of %s has no %s limit", [c.name, r.id, res_name]), "line": c.__line__, "resource": r.id}
}
