# VIGIL-GHA-007: Unsafe workflow commands enabled.
package vigil.rules.gha_007

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-007",
	"title": "Unsafe workflow commands enabled",
	"severity": "HIGH",
	"description": "`ACTIONS_ALLOW_UNSECURE_COMMANDS` re-enables the `set-env` and `add-path` log commands, which GitHub disabled because any text a step prints (a test name, a log line from a dependency) can set environment variables or the PATH of later steps and take over the job.",
	"remediation": "Remove the variable; write to the `$GITHUB_ENV` and `$GITHUB_PATH` files instead.",
	"references": ["https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/"],
	"formats": ["github-actions"],
	"status": "stable",
}

# Every env block: the workflow's, each job's and each step's.
envs contains {"env": input.env, "resource": null} if is_object(input.env)

envs contains {"env": j.env, "resource": j.id} if {
	some j in input.jobs
	is_object(j.env)
}

envs contains {"env": st.env, "resource": j.id} if {
	some j in input.jobs
	some st in j.steps
	is_object(st.env)
}

deny contains res if {
	some sc in envs
	v := sc.env.ACTIONS_ALLOW_UNSECURE_COMMANDS
	lower(sprintf("%v", [v])) == "true"
	res := {"msg": "ACTIONS_ALLOW_UNSECURE_COMMANDS is enabled", "line": lib.line(sc.env, "ACTIONS_ALLOW_UNSECURE_COMMANDS"), "resource": sc.resource}
}
