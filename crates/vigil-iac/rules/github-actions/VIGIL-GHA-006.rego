# VIGIL-GHA-006: All secrets passed to another repository's workflow.
package vigil.rules.gha_006

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-006",
	"title": "All secrets passed to another repository's workflow",
	"severity": "MEDIUM",
	"description": "`secrets: inherit` hands every secret of the calling repository to the called reusable workflow; when that workflow lives in another repository, its owners (or whoever changes it) receive them all.",
	"remediation": "Pass only the secrets the called workflow needs, by name (`secrets: {token: ${{ secrets.DEPLOY_TOKEN }}}`), and pin the workflow to a commit SHA.",
	"references": ["https://docs.github.com/en/actions/sharing-automations/reusing-workflows#passing-inputs-and-secrets-to-a-reusable-workflow"],
	"formats": ["github-actions"],
	"status": "stable",
}

deny contains res if {
	some j in input.jobs
	is_object(j.action)
	not j.action.local
	j.secrets == "inherit"
	res := {"msg": sprintf("%s passes all secrets to %s", [j.id, j.uses]), "line": lib.line(j.job, "secrets"), "resource": j.id}
}
