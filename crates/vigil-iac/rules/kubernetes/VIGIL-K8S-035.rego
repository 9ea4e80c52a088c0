# VIGIL-K8S-035: Unmasked /proc.
package vigil.rules.k8s_035

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-035",
	"title": "Unmasked /proc",
	"severity": "MEDIUM",
	"description": "`procMount: Unmasked` shows the container the parts of /proc the runtime normally hides (kernel and hardware interfaces of the node).",
	"remediation": "Remove `procMount` or set it to `Default`.",
	"references": ["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	lib.security(c).procMount == "Unmasked"
	res := {"msg": sprintf("container %q of %s mounts /proc unmasked", [c.name, r.id]), "line": lib.line(c.securityContext, "procMount"), "resource": r.id}
}
