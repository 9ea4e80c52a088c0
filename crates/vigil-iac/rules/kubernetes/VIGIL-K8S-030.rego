# VIGIL-K8S-030: NetworkPolicy allows all ingress.
package vigil.rules.k8s_030

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-030",
	"title": "NetworkPolicy allows all ingress",
	"severity": "MEDIUM",
	"description": "An ingress rule without `from` and `ports` (`- {}`), or one from `0.0.0.0/0` on every port, admits any source to every port of the selected pods: the policy isolates nothing.",
	"remediation": "List the peers (`podSelector`, `namespaceSelector`, narrow `ipBlock`) and the ports the pods serve.",
	"references": ["CIS Kubernetes Benchmark 5.3.2", "https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind == "NetworkPolicy"
	some rule in object.get(object.get(r.document, "spec", {}), "ingress", [])
	count(object.get(rule, "ports", [])) == 0
	open_to_all(rule)
	res := {"msg": sprintf("%s admits any source on any port", [r.id]), "line": rule.__line__, "resource": r.id}
}

open_to_all(rule) if count(object.get(rule, "from", [])) == 0

open_to_all(rule) if {
	some peer in rule.from
	peer.ipBlock.cidr in {"0.0.0.0/0", "::/0"}
	count(object.get(peer.ipBlock, "except", [])) == 0
}
