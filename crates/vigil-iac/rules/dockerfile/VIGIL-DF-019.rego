# VIGIL-DF-019: RUN with insecure security mode.
package vigil.rules.df_019

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-019",
	"title": "RUN with insecure security mode",
	"severity": "HIGH",
	"description": "`RUN --security=insecure` runs the step without the build sandbox (like a privileged container, with the builder host's devices and kernel interfaces).",
	"remediation": "Remove `--security=insecure`; find a way to build without privileges (rootless tools, prebuilt artifacts).",
	"references": ["https://docs.docker.com/reference/dockerfile/#run---security"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "RUN"
	lower(object.get(i.flags, "security", "")) == "insecure"
	res := {"msg": "RUN --security=insecure runs the step without the build sandbox", "line": i.line}
}
