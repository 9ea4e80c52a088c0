# VIGIL-K8S-002: Privilege escalation allowed.
package vigil.rules.k8s_002

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-002",
	"title": "Privilege escalation allowed",
	"severity": "MEDIUM",
	"description": "Unless `allowPrivilegeEscalation` is false, a process in the container can gain more privileges than its parent (setuid binaries, file capabilities).",
	"remediation": "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
	"references": ["CIS Kubernetes Benchmark 5.2.5", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	not lib.security(c).allowPrivilegeEscalation == false
	res := {"msg": sprintf("container %q of %s does not set allowPrivilegeEscalation: false", [c.name, r.id]), "line": escalation_line(c), "resource": r.id}
}

# The line of `allowPrivilegeEscalation` when the container sets it (to
# true), else the container's.
escalation_line(c) := lib.line(c.securityContext, "allowPrivilegeEscalation") if {
	is_object(c.securityContext)
	"allowPrivilegeEscalation" in object.keys(c.securityContext)
}

escalation_line(c) := c.__line__ if {
	not "allowPrivilegeEscalation" in object.keys(object.get(c, "securityContext", {}))
}
