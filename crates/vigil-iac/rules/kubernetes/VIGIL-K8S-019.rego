# VIGIL-K8S-019: NodePort Service.
package vigil.rules.k8s_019

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-019",
	"title": "NodePort Service",
	"severity": "LOW",
	"description": "A NodePort Service opens its port on every node of the cluster, bypassing ingress controllers and load balancer firewalls, on whatever network the nodes are reachable from.",
	"remediation": "Use a ClusterIP Service behind an Ingress or an internal LoadBalancer.",
	"references": ["https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind == "Service"
	spec := object.get(r.document, "spec", {})
	spec.type == "NodePort"
	res := {"msg": sprintf("%s exposes a port on every node (type NodePort)", [r.id]), "line": lib.line(spec, "type"), "resource": r.id}
}
