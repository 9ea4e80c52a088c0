# VIGIL-GHA-010: Checkout credentials kept in a job that uploads artifacts.
package vigil.rules.gha_010

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-010",
	"title": "Checkout credentials kept in a job that uploads artifacts",
	"severity": "LOW",
	"description": "`actions/checkout` leaves the job's token in `.git/config` unless `persist-credentials: false`; a job that then uploads an artifact of the workspace can publish that token to anyone who can download the artifact.",
	"remediation": "Set `persist-credentials: false` on the checkout step, and upload only the build output directory.",
	"references": ["https://github.com/actions/checkout#usage"],
	"formats": ["github-actions"],
	"status": "preview",
}

deny contains res if {
	some j in input.jobs
	some st in j.steps
	action(st.action, "checkout")
	not persist_false(st)
	some up in j.steps
	action(up.action, "upload-artifact")
	res := {"msg": sprintf("step %d of %s keeps the token in .git/config and the job uploads artifacts", [st.index + 1, j.id]), "line": lib.line(st.step, "uses"), "resource": j.id}
}

action(a, name) if {
	is_object(a)
	is_string(a.owner)
	is_string(a.repo)
	lower(a.owner) == "actions"
	lower(a.repo) == name
}

persist_false(st) if lower(sprintf("%v", [st["with"]["persist-credentials"]])) == "false"
