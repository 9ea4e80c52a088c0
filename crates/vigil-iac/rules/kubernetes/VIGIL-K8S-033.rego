# VIGIL-K8S-033: Container binds a host port.
package vigil.rules.k8s_033

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-033",
	"title": "Container binds a host port",
	"severity": "MEDIUM",
	"description": "A `hostPort` opens the port on the node's own address, outside the reach of NetworkPolicies and Services, and pins the pod to nodes where the port is free.",
	"remediation": "Remove `hostPort`; expose the container through a Service.",
	"references": ["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	some p in object.get(c, "ports", [])
	object.get(p, "hostPort", 0) > 0
	res := {"msg": sprintf("container %q of %s binds host port %v", [c.name, r.id, p.hostPort]), "line": lib.line(p, "hostPort"), "resource": r.id}
}
