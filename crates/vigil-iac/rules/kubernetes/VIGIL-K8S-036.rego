# VIGIL-K8S-036: Seccomp unconfined.
package vigil.rules.k8s_036

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-036",
	"title": "Seccomp unconfined",
	"severity": "MEDIUM",
	"description": "With seccomp `Unconfined`, every system call is open to the container, including those behind most container escapes.",
	"remediation": "Use `seccompProfile.type: RuntimeDefault` (or a `Localhost` profile).",
	"references": ["CIS Kubernetes Benchmark 5.7.2", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	sc := lib.pod_security(r)
	sc.seccompProfile.type == "Unconfined"
	res := {"msg": sprintf("%s runs its pods without seccomp", [r.id]), "line": lib.line(sc.seccompProfile, "type"), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	lib.security(c).seccompProfile.type == "Unconfined"
	res := {"msg": sprintf("container %q of %s runs without seccomp", [c.name, r.id]), "line": lib.line(c.securityContext.seccompProfile, "type"), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	some key, value in lib.pod_annotations(r)
	startswith(key, "seccomp.security.alpha.kubernetes.io/")
	value == "unconfined"
	res := {"msg": sprintf("%s runs without seccomp (%s)", [r.id, key]), "line": lib.line(r.pod_metadata.annotations, key), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	some key, value in lib.pod_annotations(r)
	startswith(key, "container.seccomp.security.alpha.kubernetes.io/")
	value == "unconfined"
	res := {"msg": sprintf("%s runs without seccomp (%s)", [r.id, key]), "line": lib.line(r.pod_metadata.annotations, key), "resource": r.id}
}
