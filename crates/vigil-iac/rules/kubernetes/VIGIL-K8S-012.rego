# VIGIL-K8S-012: No livenessProbe.
package vigil.rules.k8s_012

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-012",
	"title": "No livenessProbe",
	"severity": "LOW",
	"description": "Without a livenessProbe, a hung container is never restarted.",
	"remediation": "Define `livenessProbe` on every long-running container.",
	"references": ["https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	not c.init
	not r.kind in {"Job", "CronJob"}
	not c.livenessProbe
	res := {"msg": sprintf("container %q of %s has no livenessProbe", [c.name, r.id]), "line": c.__line__, "resource": r.id}
}
