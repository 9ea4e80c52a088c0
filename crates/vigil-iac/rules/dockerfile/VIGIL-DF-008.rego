# VIGIL-DF-008: sudo in RUN.
package vigil.rules.df_008

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-008",
	"title": "sudo in RUN",
	"severity": "MEDIUM",
	"description": "`sudo` in a build means the image ships sudo and a user allowed to use it, or the build switches users in a way that is hard to follow; its TTY and signal handling also misbehave in containers.",
	"remediation": "Run the privileged steps before `USER`, as root, without sudo.",
	"references": ["https://docs.docker.com/build/building/best-practices/#user"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "RUN"
	regex.match(`(^|[;&|][ \t]*|[ \t\n])sudo[ \t]`, i.value)
	res := {"msg": "RUN uses sudo", "line": i.line}
}
