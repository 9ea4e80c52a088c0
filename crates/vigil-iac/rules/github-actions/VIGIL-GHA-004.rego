# VIGIL-GHA-004: Workflow token has write-all permissions.
package vigil.rules.gha_004

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-004",
	"title": "Workflow token has write-all permissions",
	"severity": "MEDIUM",
	"description": "`permissions: write-all` gives the job's GITHUB_TOKEN write access to everything in the repository (contents, packages, releases, workflows...): any compromised step can push code or publish releases.",
	"remediation": "Declare only the scopes the job needs (`permissions: {contents: read}`), per job where they differ.",
	"references": ["https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-secrets", "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions"],
	"formats": ["github-actions"],
	"status": "stable",
}

deny contains res if {
	input.permissions == "write-all"
	res := {"msg": "the workflow grants write-all permissions", "line": lib.line(input.workflow, "permissions")}
}

deny contains res if {
	some j in input.jobs
	j.permissions == "write-all"
	res := {"msg": sprintf("%s grants write-all permissions", [j.id]), "line": lib.line(j.job, "permissions"), "resource": j.id}
}
