# VIGIL-DF-014: MAINTAINER is deprecated.
package vigil.rules.df_014

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-014",
	"title": "MAINTAINER is deprecated",
	"severity": "LOW",
	"description": "`MAINTAINER` is deprecated: the image's author belongs in a label, where tools read it.",
	"remediation": "Use `LABEL org.opencontainers.image.authors=\"...\"`.",
	"references": ["https://docs.docker.com/reference/dockerfile/#maintainer-deprecated"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "MAINTAINER"
	res := {"msg": "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors", "line": i.line}
}
