# VIGIL-GHA-008: Self-hosted runner on pull requests.
package vigil.rules.gha_008

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-008",
	"title": "Self-hosted runner on pull requests",
	"severity": "MEDIUM",
	"description": "Pull request workflows of a public repository run code from forks. On a self-hosted runner that code runs on your machine, which unlike GitHub's hosted runners is not thrown away after the job: it can persist, read other jobs' data and reach your network. Whether the repository is public is not known from the file, so this rule is a preview.",
	"remediation": "Run pull request jobs on GitHub-hosted runners, or on ephemeral, isolated self-hosted runners, and require approval for workflows from outside contributors.",
	"references": ["https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/about-self-hosted-runners#self-hosted-runner-security"],
	"formats": ["github-actions"],
	"status": "preview",
}

deny contains res if {
	some ev in ["pull_request", "pull_request_target"]
	input.on[ev]
	some j in input.jobs
	self_hosted(j.runs_on)
	res := {"msg": sprintf("%s runs %s events on a self-hosted runner", [j.id, ev]), "line": lib.line(j.job, "runs-on"), "resource": j.id}
}

self_hosted(r) if {
	is_string(r)
	lower(r) == "self-hosted"
}

self_hosted(r) if {
	is_array(r)
	some l in r
	is_string(l)
	lower(l) == "self-hosted"
}

self_hosted(r) if {
	is_object(r)
	self_hosted(object.get(r, "labels", null))
}
