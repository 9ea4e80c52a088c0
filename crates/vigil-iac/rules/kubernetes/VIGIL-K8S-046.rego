# VIGIL-K8S-046: Windows HostProcess container.
package vigil.rules.k8s_046

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-046",
	"title": "Windows HostProcess container",
	"severity": "HIGH",
	"description": "A HostProcess container runs as a process on the Windows node itself, with the node's network and filesystem: it has the node.",
	"remediation": "Remove `windowsOptions.hostProcess: true` outside dedicated node agents.",
	"references": ["https://kubernetes.io/docs/concepts/security/pod-security-standards/", "https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	sc := lib.pod_security(r)
	sc.windowsOptions.hostProcess == true
	res := {"msg": sprintf("%s runs its pods as Windows HostProcess containers", [r.id]), "line": lib.line(sc.windowsOptions, "hostProcess"), "resource": r.id}
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	lib.security(c).windowsOptions.hostProcess == true
	res := {"msg": sprintf("container %q of %s is a Windows HostProcess container", [c.name, r.id]), "line": lib.line(c.securityContext.windowsOptions, "hostProcess"), "resource": r.id}
}
