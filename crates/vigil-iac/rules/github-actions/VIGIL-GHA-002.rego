# VIGIL-GHA-002: Privileged workflow checks out untrusted pull request code.
package vigil.rules.gha_002

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-002",
	"title": "Privileged workflow checks out untrusted pull request code",
	"severity": "CRITICAL",
	"description": "A `pull_request_target` or `workflow_run` run has a write token and the repository's secrets. Checking out the pull request's head (or the triggering run's branch) and then building or running it lets anyone who opens a pull request execute code with those privileges.",
	"remediation": "Use the `pull_request` trigger for building contributed code; if a privileged step is needed, split it into a separate workflow that never checks out or runs the contributed code.",
	"references": ["https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/", "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions"],
	"formats": ["github-actions"],
	"status": "stable",
}

# Triggers whose runs get a write token and the repository's secrets
# while handling changes or text from outside the repository.
privileged_trigger if input.on.pull_request_target

privileged_trigger if input.on.workflow_run

deny contains res if {
	privileged_trigger
	some j in input.jobs
	some st in j.steps
	checkout(st.action)
	some key in ["ref", "repository"]
	value := st["with"][key]
	is_string(value)
	regex.match(`github\.event\.pull_request\.head\.(sha|ref|repo\.full_name)|github\.head_ref|github\.event\.workflow_run\.head_(sha|branch|repository\.full_name)|refs/pull/`, value)
	res := {"msg": sprintf("step %d of %s checks out %s in a privileged workflow", [st.index + 1, j.id, value]), "line": lib.line(st["with"], key), "resource": j.id}
}

checkout(a) if {
	is_object(a)
	is_string(a.owner)
	is_string(a.repo)
	lower(a.owner) == "actions"
	lower(a.repo) == "checkout"
}
