# VIGIL-K8S-050: Namespace enforces the privileged Pod Security level.
package vigil.rules.k8s_050

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-050",
	"title": "Namespace enforces the privileged Pod Security level",
	"severity": "MEDIUM",
	"description": "A namespace labelled `pod-security.kubernetes.io/enforce: privileged` turns Pod Security admission off there: privileged, host-namespace and hostPath pods are all admitted.",
	"remediation": "Enforce `restricted` (or at least `baseline`) and exempt only the namespaces of node agents that need more.",
	"references": ["CIS Kubernetes Benchmark 5.2.1", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.kind == "Namespace"
	labels := object.get(object.get(r.document, "metadata", {}), "labels", {})
	labels["pod-security.kubernetes.io/enforce"] == "privileged"
	res := {"msg": sprintf("%s enforces the privileged Pod Security level (no restriction)", [r.id]), "line": lib.line(labels, "pod-security.kubernetes.io/enforce"), "resource": r.id}
}
