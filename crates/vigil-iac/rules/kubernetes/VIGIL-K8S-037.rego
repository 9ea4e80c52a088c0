# VIGIL-K8S-037: AppArmor unconfined.
package vigil.rules.k8s_037

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-037",
	"title": "AppArmor unconfined",
	"severity": "MEDIUM",
	"description": "An `Unconfined` AppArmor profile removes the runtime's default profile, which blocks mounts and writes to sensitive parts of /proc and /sys.",
	"remediation": "Use `appArmorProfile.type: RuntimeDefault` or a `Localhost` profile, or leave it unset.",
	"references": ["https://kubernetes.io/docs/concepts/security/pod-security-standards/", "https://kubernetes.io/docs/tutorials/security/apparmor/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	sc := lib.pod_security(r)
	sc.appArmorProfile.type == "Unconfined"
	res := {"msg": sprintf("%s runs its pods without AppArmor", [r.id]), "line": lib.line(sc.appArmorProfile, "type"), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	lib.security(c).appArmorProfile.type == "Unconfined"
	res := {"msg": sprintf("container %q of %s runs without AppArmor", [c.name, r.id]), "line": lib.line(c.securityContext.appArmorProfile, "type"), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	some key, value in lib.pod_annotations(r)
	startswith(key, "container.apparmor.security.beta.kubernetes.io/")
	value == "unconfined"
	res := {"msg": sprintf("%s runs without AppArmor (%s)", [r.id, key]), "line": lib.line(r.pod_metadata.annotations, key), "resource": r.id}
}
