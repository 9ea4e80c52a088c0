# VIGIL-DF-021: Package signatures not checked.
package vigil.rules.df_021

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-021",
	"title": "Package signatures not checked",
	"severity": "HIGH",
	"description": "Installing packages with signature checks off (`--allow-unauthenticated`, `--nogpgcheck`, `--allow-untrusted`, `rpm --nosignature`) accepts packages from anyone who can tamper with the mirror or the connection.",
	"remediation": "Keep signature checks; import the repository's signing key instead.",
	"references": ["https://wiki.debian.org/SecureApt"],
	"formats": ["dockerfile"],
	"status": "stable",
}

patterns := [
	`apt(-get)?[ \t\n][^;&|]*--allow-(unauthenticated|insecure-repositories)`,
	`(yum|dnf|microdnf|tdnf|zypper)[ \t\n][^;&|]*--(nogpgcheck|no-gpg-checks)`,
	`apk[ \t\n][^;&|]*--allow-untrusted`,
	`rpm[ \t\n][^;&|]*--(nosignature|nodigest)`,
	`apt::get::allowunauthenticated[ \t\n]*"?(1|true)`,
]

deny contains res if {
	some i in input.instructions
	i.cmd == "RUN"
	some p in patterns
	regex.match(p, lower(concat("\n", array.concat([i.value], i.heredocs))))
	res := {"msg": "RUN installs packages without checking their signatures", "line": i.line}
}
