# VIGIL-DF-018: ADD for a local file.
package vigil.rules.df_018

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-018",
	"title": "ADD for a local file",
	"severity": "LOW",
	"description": "`ADD` does more than copy (it fetches URLs and unpacks archives), so using it for plain files hides what the step does; `COPY` says it.",
	"remediation": "Use `COPY` for local files and directories; keep `ADD` for archives to unpack and checksummed downloads.",
	"references": ["CIS Docker Benchmark 4.9", "https://docs.docker.com/reference/dockerfile/#add"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "ADD"
	not i.exec
	words := [w | some w in split(i.value, " "); w != ""]
	count(words) > 1
	srcs := array.slice(words, 0, count(words) - 1)
	every src in srcs {
		not special(src)
	}
	res := {"msg": sprintf("ADD %s copies local files; use COPY", [i.value]), "line": i.line}
}

special(src) if regex.match(`^[a-z][a-z0-9+.-]*://|^git@`, lower(src))

special(src) if regex.match(`\.(tar|tgz|tbz2?|txz|tar\.(gz|bz2|xz|zst))$`, lower(src))

special(src) if contains(src, "$")
