# VIGIL-K8S-018: LoadBalancer Service open to any source.
package vigil.rules.k8s_018

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-018",
	"title": "LoadBalancer Service open to any source",
	"severity": "MEDIUM",
	"description": "A Service of type LoadBalancer without `loadBalancerSourceRanges` gets a cloud load balancer that accepts connections from the whole internet, whatever the workload behind it expects.",
	"remediation": "Set `spec.loadBalancerSourceRanges` to the client networks, or make the load balancer internal with the provider's annotation.",
	"references": ["https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer", "https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind == "Service"
	spec := object.get(r.document, "spec", {})
	spec.type == "LoadBalancer"
	count(object.get(spec, "loadBalancerSourceRanges", [])) == 0
	not internal(r)
	res := {"msg": sprintf("%s is a LoadBalancer open to any source address", [r.id]), "line": lib.line(spec, "type"), "resource": r.id}
}

# Annotations that keep a cloud load balancer on the private network.
internal_annotations := {
	"service.beta.kubernetes.io/aws-load-balancer-internal",
	"service.beta.kubernetes.io/aws-load-balancer-scheme",
	"networking.gke.io/load-balancer-type",
	"cloud.google.com/load-balancer-type",
	"service.beta.kubernetes.io/azure-load-balancer-internal",
	"service.beta.kubernetes.io/oci-load-balancer-internal",
}

internal(r) if {
	some key, value in lib.annotations(r.document)
	key in internal_annotations
	lower(sprintf("%v", [value])) in {"true", "internal", "0.0.0.0/0"}
}
