# VIGIL-DF-016: Build context copied into the root.
package vigil.rules.df_016

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-016",
	"title": "Build context copied into the root",
	"severity": "MEDIUM",
	"description": "`COPY . /` spreads the whole build context over the image's root filesystem: files named like system paths replace them, and whatever the context holds (.git, .env, keys) lands in the image.",
	"remediation": "Copy into an application directory (`WORKDIR /app`, `COPY . .`) with a `.dockerignore`, or copy the files needed by name.",
	"references": ["https://docs.docker.com/build/concepts/context/#dockerignore-files"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd in {"COPY", "ADD"}
	not i.flags.from
	words := [w | some w in split(i.value, " "); w != ""]
	count(words) == 2
	words[0] in {".", "./"}
	words[1] == "/"
	res := {"msg": sprintf("%s copies the whole build context into /", [i.cmd]), "line": i.line}
}
