# VIGIL-DF-003: Piping a download into a shell.
package vigil.rules.df_003

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-003",
	"title": "Piping a download into a shell",
	"severity": "MEDIUM",
	"description": "`curl ... | sh` runs whatever the server sends, unverified, with the build's privileges.",
	"remediation": "Download to a file, verify its checksum or signature, then run it.",
	"references": ["https://docs.docker.com/build/building/best-practices/"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "RUN"
	regex.match(`(curl|wget)[^|;&]*\|[ \t]*(sudo[ \t]+)?(ba|da|z|k)?sh([^a-z]|$)`, concat("\n", array.concat([i.value], i.heredocs)))
	res := {"msg": "RUN pipes a download into a shell", "line": i.line}
}
