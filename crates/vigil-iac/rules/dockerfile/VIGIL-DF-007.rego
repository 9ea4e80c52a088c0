# VIGIL-DF-007: Secret in ENV or ARG.
package vigil.rules.df_007

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-007",
	"title": "Secret in ENV or ARG",
	"severity": "HIGH",
	"description": "Values of ENV and ARG are stored in the image's configuration and history, readable by anyone who can pull it.",
	"remediation": "Pass secrets with `RUN --mount=type=secret` (BuildKit) and never bake them into the image.",
	"references": ["CIS Docker Benchmark 4.10", "https://docs.docker.com/build/building/secrets/"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd in {"ENV", "ARG"}
	some name in names(i)
	lib.secret_name(name)
	res := {"msg": sprintf("%s %s may hold a secret; it stays in the image", [i.cmd, name]), "line": i.line}
}

# `ENV A=1 B=2`, `ENV A 1`, `ARG A=1`, `ARG A`.
names(i) := {split(w, "=")[0] | some w in split(i.value, " "); contains(w, "=")} if contains(i.value, "=")

names(i) := {split(trim_space(i.value), " ")[0]} if {
	not contains(i.value, "=")
	i.value != ""
}
