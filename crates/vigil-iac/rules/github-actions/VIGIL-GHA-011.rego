# VIGIL-GHA-011: Secret written into the workflow.
package vigil.rules.gha_011

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-011",
	"title": "Secret written into the workflow",
	"severity": "HIGH",
	"description": "A password, token or key written as a literal `env` value or action input is in the repository for anyone who can read it, and in every fork.",
	"remediation": "Store it as an encrypted secret and refer to it (`${{ secrets.NAME }}`).",
	"references": ["https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions"],
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
	some name, value in sc.env
	literal_secret(name, value)
	res := {"msg": sprintf("%s is set to a literal value", [name]), "line": lib.line(sc.env, name), "resource": sc.resource}
}

deny contains res if {
	some j in input.jobs
	some st in j.steps
	is_object(st["with"])
	some name, value in st["with"]
	literal_secret(name, value)
	res := {"msg": sprintf("step %d of %s passes %s a literal value", [st.index + 1, j.id, name]), "line": lib.line(st["with"], name), "resource": j.id}
}

literal_secret(name, value) if {
	not startswith(name, "__")
	lib.secret_name(name)
	is_string(value)
	value != ""
	not contains(value, "${{")
	not regex.match(`^([0-9]+|true|false|https?://.*)$`, lower(value))
}
