# VIGIL-GHA-013: Disabled workflow command used.
package vigil.rules.gha_013

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-013",
	"title": "Disabled workflow command used",
	"severity": "MEDIUM",
	"description": "The `::set-env` and `::add-path` log commands let any output of a step change the environment of later steps; GitHub disabled them, so a script that still uses them either fails or runs with `ACTIONS_ALLOW_UNSECURE_COMMANDS`.",
	"remediation": "Append to the `$GITHUB_ENV` or `$GITHUB_PATH` file instead (`echo \"NAME=value\" >> \"$GITHUB_ENV\"`).",
	"references": ["https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/"],
	"formats": ["github-actions"],
	"status": "stable",
}

deny contains res if {
	some j in input.jobs
	some st in j.steps
	is_string(st.run)
	some i, l in split(st.run, "\n")
	regex.match(`::(set-env|add-path)( |::)`, l)
	res := {"msg": sprintf("step %d of %s uses a disabled workflow command", [st.index + 1, j.id]), "line": st.run_line + i, "resource": j.id}
}
