# VIGIL-DF-013: Relative WORKDIR.
package vigil.rules.df_013

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-013",
	"title": "Relative WORKDIR",
	"severity": "LOW",
	"description": "A relative WORKDIR depends on the WORKDIR before it, or on the base image's, which can change under the build: files end up where nobody looks.",
	"remediation": "Use an absolute path (`WORKDIR /app`).",
	"references": ["https://docs.docker.com/reference/dockerfile/#workdir"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "WORKDIR"
	path := trim(i.value, "\"'")
	path != ""
	not startswith(path, "/")
	not startswith(path, "$")
	not regex.match(`^[A-Za-z]:[\\/]`, path)
	res := {"msg": sprintf("WORKDIR %s is relative", [i.value]), "line": i.line}
}
