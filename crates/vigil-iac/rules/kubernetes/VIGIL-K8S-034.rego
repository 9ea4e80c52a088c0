# VIGIL-K8S-034: Unsafe sysctl.
package vigil.rules.k8s_034

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-034",
	"title": "Unsafe sysctl",
	"severity": "MEDIUM",
	"description": "Sysctls outside the namespaced safe set change kernel settings of the whole node, or of other pods on it.",
	"remediation": "Remove the sysctl, or set it on dedicated nodes through the kubelet.",
	"references": ["https://kubernetes.io/docs/concepts/security/pod-security-standards/", "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

# The sysctls the Pod Security Standards (baseline) allow.
safe := {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

deny contains res if {
	some r in input.resources
	some s in object.get(lib.pod_security(r), "sysctls", [])
	not s.name in safe
	res := {"msg": sprintf("%s sets the unsafe sysctl %s", [r.id, s.name]), "line": lib.line(s, "name"), "resource": r.id}
}
