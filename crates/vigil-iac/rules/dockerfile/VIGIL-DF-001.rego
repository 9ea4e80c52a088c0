# VIGIL-DF-001: Image runs as root.
package vigil.rules.df_001

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-001",
	"title": "Image runs as root",
	"severity": "HIGH",
	"description": "Without a `USER` (or with `USER root`) in the final stage, the container's processes run as root unless the runtime overrides it.",
	"remediation": "Add `USER` with a non-root user (a numeric UID works on every runtime) to the final stage.",
	"references": ["CIS Docker Benchmark 4.1", "https://docs.docker.com/reference/dockerfile/#user"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some s in input.stages
	s.final
	users := [i | some i in input.instructions; i.stage == s.index; i.cmd == "USER"]
	root_user(users)
	res := {"msg": msg(users), "line": line(s, users), "resource": sprintf("stage %d", [s.index])}
}

root_user(users) if count(users) == 0

root_user(users) if {
	count(users) > 0
	name := split(users[count(users) - 1].value, ":")[0]
	name in {"root", "0"}
}

msg(users) := "the final stage sets no USER: the image runs as root" if count(users) == 0

msg(users) := "the final stage's last USER is root" if count(users) > 0

line(s, users) := s.line if count(users) == 0

line(_, users) := users[count(users) - 1].line if {
	count(users) > 0
}
