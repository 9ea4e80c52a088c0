# VIGIL-DF-002: ADD from a URL.
package vigil.rules.df_002

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-002",
	"title": "ADD from a URL",
	"severity": "MEDIUM",
	"description": "`ADD https://...` downloads at build time without checking what arrives; the build depends on a remote server and trusts whatever it sends.",
	"remediation": "Download with `RUN curl -fsSLO` and verify a checksum, or use `ADD --checksum=sha256:...`.",
	"references": ["CIS Docker Benchmark 4.9", "https://docs.docker.com/reference/dockerfile/#add"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "ADD"
	not i.flags.checksum
	regex.match(`(^|[ \t])(https?|ftp)://`, i.value)
	res := {"msg": sprintf("ADD downloads %s without a checksum", [i.value]), "line": i.line}
}
