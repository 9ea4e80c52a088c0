# VIGIL-K8S-013: No readinessProbe.
package vigil.rules.k8s_013

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-013",
	"title": "No readinessProbe",
	"severity": "LOW",
	"description": "Without a readinessProbe, traffic is sent to a container before it can serve it.",
	"remediation": "Define `readinessProbe` on every long-running container.",
	"references": ["https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	not c.init
	not r.kind in {"Job", "CronJob"}
	not c.readinessProbe
	res := {"msg": sprintf("container %q of %s has no readinessProbe", [c.name, r.id]), "line": c.__line__, "resource": r.id}
}
