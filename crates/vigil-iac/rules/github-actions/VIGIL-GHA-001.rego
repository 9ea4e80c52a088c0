# VIGIL-GHA-001: Third-party action not pinned to a commit SHA.
package vigil.rules.gha_001

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-001",
	"title": "Third-party action not pinned to a commit SHA",
	"severity": "MEDIUM",
	"description": "A tag or branch of an action can be moved by its owner, or by whoever compromises the owner's account, to code that then runs with the job's token and secrets. Only a full commit SHA is immutable. Actions of the `actions` and `github` organisations (maintained by GitHub), local actions and Docker images pinned by digest are not reported.",
	"remediation": "Pin the action to the full 40-character SHA of a reviewed release (`uses: owner/repo@<sha> # v1.2.3`) and let a dependency updater bump it.",
	"references": ["https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions"],
	"formats": ["github-actions"],
	"status": "stable",
}

deny contains res if {
	some j in input.jobs
	some st in j.steps
	unpinned(st.action)
	res := {"msg": sprintf("step %d of %s uses %s, not pinned to a commit SHA", [st.index + 1, j.id, st.uses]), "line": lib.line(st.step, "uses"), "resource": j.id}
}

deny contains res if {
	some j in input.jobs
	unpinned(j.action)
	res := {"msg": sprintf("%s calls the workflow %s, not pinned to a commit SHA", [j.id, j.uses]), "line": lib.line(j.job, "uses"), "resource": j.id}
}

unpinned(a) if {
	is_object(a)
	not a.local
	not a.pinned_sha
	not first_party(a)
}

first_party(a) if {
	is_string(a.owner)
	lower(a.owner) in {"actions", "github"}
}
