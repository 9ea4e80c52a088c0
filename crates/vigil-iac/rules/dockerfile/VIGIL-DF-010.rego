# VIGIL-DF-010: SSH port exposed.
package vigil.rules.df_010

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-010",
	"title": "SSH port exposed",
	"severity": "MEDIUM",
	"description": "`EXPOSE 22` means an SSH server in the container: another way in, with its own credentials to manage, where `docker exec`/`kubectl exec` already give audited access.",
	"remediation": "Remove the SSH server and the EXPOSE; use the runtime's exec for debugging.",
	"references": ["https://docs.docker.com/reference/dockerfile/#expose"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "EXPOSE"
	some port in split(i.value, " ")
	regex.match(`^22(/tcp)?$`, lower(port))
	res := {"msg": "EXPOSE 22: the image runs an SSH server", "line": i.line}
}
