# VIGIL-K8S-038: Custom SELinux options.
package vigil.rules.k8s_038

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-038",
	"title": "Custom SELinux options",
	"severity": "MEDIUM",
	"description": "An SELinux `type` other than the container types, or a custom `user` or `role`, can take the container out of the confinement the policy gives containers.",
	"remediation": "Remove `seLinuxOptions`, or keep to `level` and a container type (`container_t`, `container_init_t`, `container_kvm_t`, `container_engine_t`).",
	"references": ["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

allowed_types := {"container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# The pod's security context and its containers'.
contexts(r) := array.concat([lib.pod_security(r) | r.pod_spec != null], [lib.security(c) | some c in r.containers])

deny contains res if {
	some r in input.resources
	some sc in contexts(r)
	opts := sc.seLinuxOptions
	object.get(opts, "type", "") != ""
	not opts.type in allowed_types
	res := {"msg": sprintf("%s sets the SELinux type %s", [r.id, opts.type]), "line": lib.line(opts, "type"), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	some sc in contexts(r)
	opts := sc.seLinuxOptions
	some field in ["user", "role"]
	object.get(opts, field, "") != ""
	res := {"msg": sprintf("%s sets a custom SELinux %s (%v)", [r.id, field, opts[field]]), "line": lib.line(opts, field), "resource": r.id}
}
