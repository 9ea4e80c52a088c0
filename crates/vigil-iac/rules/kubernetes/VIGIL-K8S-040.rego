# VIGIL-K8S-040: Resource in the default namespace.
package vigil.rules.k8s_040

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-040",
	"title": "Resource in the default namespace",
	"severity": "LOW",
	"description": "The `default` namespace is where everything lands by accident; workloads there share it with whatever else was put there, and policies scoped to namespaces rarely cover it.",
	"remediation": "Give the application its own namespace.",
	"references": ["CIS Kubernetes Benchmark 5.7.4"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.namespace == "default"
	res := {"msg": sprintf("%s is in the default namespace", [r.id]), "line": lib.line(r.document.metadata, "namespace"), "resource": r.id}
}
