# VIGIL-DF-004: No HEALTHCHECK.
package vigil.rules.df_004

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-004",
	"title": "No HEALTHCHECK",
	"severity": "LOW",
	"description": "Without a HEALTHCHECK, the runtime cannot tell a hung container from a healthy one.",
	"remediation": "Add `HEALTHCHECK CMD ...` to the final stage (orchestrators with their own probes may ignore this rule).",
	"references": ["CIS Docker Benchmark 4.6", "https://docs.docker.com/reference/dockerfile/#healthcheck"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some s in input.stages
	s.final
	not has_healthcheck(s.index)
	res := {"msg": "the final stage has no HEALTHCHECK", "line": s.line, "resource": sprintf("stage %d", [s.index])}
}

has_healthcheck(stage) if {
	some i in input.instructions
	i.stage == stage
	i.cmd == "HEALTHCHECK"
}
