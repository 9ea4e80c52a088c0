# VIGIL-DF-006: apt-get install without --no-install-recommends.
package vigil.rules.df_006

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-006",
	"title": "apt-get install without --no-install-recommends",
	"severity": "LOW",
	"description": "Recommended packages swell the image and its attack surface with software nobody asked for.",
	"remediation": "Add `--no-install-recommends` to `apt-get install`.",
	"references": ["https://docs.docker.com/build/building/best-practices/#apt-get"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "RUN"
	regex.match(`apt-get[ \t]+(-[^ \t]+[ \t]+)*install`, i.value)
	not contains(i.value, "--no-install-recommends")
	res := {"msg": "apt-get install without --no-install-recommends", "line": i.line}
}
