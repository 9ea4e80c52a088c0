# VIGIL-GHA-009: Piping a download into a shell.
package vigil.rules.gha_009

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-009",
	"title": "Piping a download into a shell",
	"severity": "MEDIUM",
	"description": "`curl ... | sh` runs whatever the server sends at that moment, unverified, with the job's token and secrets.",
	"remediation": "Download to a file and verify its checksum or signature before running it, or use a pinned action or package.",
	"references": ["https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions"],
	"formats": ["github-actions"],
	"status": "stable",
}

deny contains res if {
	some j in input.jobs
	some st in j.steps
	is_string(st.run)
	some i, l in split(st.run, "\n")
	regex.match(`(curl|wget)[^|;&]*\|[ \t]*(sudo[ \t]+)?(ba|da|z|k)?sh([^a-z]|$)`, l)
	res := {"msg": sprintf("step %d of %s pipes a download into a shell", [st.index + 1, j.id]), "line": st.run_line + i, "resource": j.id}
}
