# VIGIL-DF-009: World-writable permissions.
package vigil.rules.df_009

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-009",
	"title": "World-writable permissions",
	"severity": "MEDIUM",
	"description": "Mode 777 lets every user of the container, and any process that breaks into it, replace the files: scripts and binaries made world-writable are a way to run code as whoever runs them next.",
	"remediation": "Give ownership to the user that needs to write (`chown`, `COPY --chown`) and use 755/644, or 775 for a shared group.",
	"references": ["https://docs.docker.com/reference/dockerfile/#copy---chmod"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "RUN"
	regex.match(`(^|[;&|( \t\n])chmod[ \t\n]+(-[A-Za-z]+[ \t\n]+|--[a-z-]+[ \t\n]+)*0?777([ \t\n]|$)`, concat("\n", array.concat([i.value], i.heredocs)))
	res := {"msg": "RUN makes files world-writable (chmod 777)", "line": i.line}
}

deny contains res if {
	some i in input.instructions
	i.cmd in {"COPY", "ADD"}
	regex.match(`^0?777$`, object.get(i.flags, "chmod", ""))
	res := {"msg": sprintf("%s --chmod=%s makes files world-writable", [i.cmd, i.flags.chmod]), "line": i.line}
}
