# VIGIL-DF-015: RUN cd has no effect.
package vigil.rules.df_015

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-015",
	"title": "RUN cd has no effect",
	"severity": "LOW",
	"description": "Each RUN starts in the WORKDIR: a RUN that only changes directory does nothing, and the next instructions run somewhere else than their author meant.",
	"remediation": "Use `WORKDIR`, or join the `cd` to the command that needs it (`cd dir && make`).",
	"references": ["https://docs.docker.com/build/building/best-practices/"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "RUN"
	count(i.heredocs) == 0
	regex.match(`^[ \t\n]*cd([ \t\n]+[^;&|]*)?[ \t\n]*;?[ \t\n]*$`, i.value)
	res := {"msg": sprintf("RUN %s changes directory for no later instruction; use WORKDIR", [i.value]), "line": i.line}
}
