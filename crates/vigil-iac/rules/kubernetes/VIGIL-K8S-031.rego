# VIGIL-K8S-031: Root filesystem writable.
package vigil.rules.k8s_031

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-031",
	"title": "Root filesystem writable",
	"severity": "LOW",
	"description": "A writable root filesystem lets an intruder drop tools and change binaries and configuration of the running container.",
	"remediation": "Set `securityContext.readOnlyRootFilesystem: true`; mount an emptyDir where the application writes.",
	"references": ["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	not lib.security(c).readOnlyRootFilesystem == true
	res := {"msg": sprintf("container %q of %s has a writable root filesystem", [c.name, r.id]), "line": c.__line__, "resource": r.id}
}
