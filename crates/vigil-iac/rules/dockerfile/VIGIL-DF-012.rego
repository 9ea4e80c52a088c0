# VIGIL-DF-012: More than one CMD or ENTRYPOINT.
package vigil.rules.df_012

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-012",
	"title": "More than one CMD or ENTRYPOINT",
	"severity": "LOW",
	"description": "Only the last CMD and the last ENTRYPOINT of a stage take effect; the earlier ones mislead whoever reads the Dockerfile about what the container runs.",
	"remediation": "Keep one CMD and one ENTRYPOINT per stage.",
	"references": ["https://docs.docker.com/reference/dockerfile/#cmd"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some s in input.stages
	some cmd in ["CMD", "ENTRYPOINT"]
	found := [i | some i in input.instructions; i.stage == s.index; i.cmd == cmd]
	count(found) > 1
	some n, i in found
	n < count(found) - 1
	res := {"msg": sprintf("%s on line %d is overridden by a later %s", [cmd, i.line, cmd]), "line": i.line, "resource": sprintf("stage %d", [s.index])}
}
