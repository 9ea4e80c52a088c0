# VIGIL-GHA-005: Privileged trigger without explicit permissions.
package vigil.rules.gha_005

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-005",
	"title": "Privileged trigger without explicit permissions",
	"severity": "MEDIUM",
	"description": "A `pull_request_target` or `workflow_run` workflow runs on events caused by outsiders; without a `permissions` block its token gets the repository's default scopes, which are read-write on older and many organisation repositories.",
	"remediation": "Add `permissions:` at the top of the workflow (or on each job) with the least scopes needed, e.g. `permissions: {contents: read, pull-requests: write}`.",
	"references": ["https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions", "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/"],
	"formats": ["github-actions"],
	"status": "stable",
}

# Triggers whose runs get a write token and the repository's secrets
# while handling changes or text from outside the repository.
privileged_trigger if input.on.pull_request_target

privileged_trigger if input.on.workflow_run

deny contains res if {
	privileged_trigger
	input.permissions == null
	some j in input.jobs
	j.permissions == null
	res := {"msg": sprintf("%s runs on a privileged trigger with the default token permissions", [j.id]), "line": j.line, "resource": j.id}
}
