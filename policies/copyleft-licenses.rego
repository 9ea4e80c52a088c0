# Licenses: network copyleft (AGPL, SSPL) fails; weak copyleft (LGPL, MPL,
# EPL) warns. Reads the components' declared licenses (SPDX expressions).
# For plain deny lists, `--deny-license` is simpler and understands
# `OR` choices; this policy shows how to grade licenses instead.
#
#   vigil scan --policy policies/copyleft-licenses.rego
package main

network_copyleft := {
	"AGPL-1.0", "AGPL-1.0-only", "AGPL-1.0-or-later",
	"AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later",
	"SSPL-1.0",
}

weak_copyleft := {
	"LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later",
	"LGPL-3.0-only", "LGPL-3.0-or-later", "MPL-2.0", "EPL-1.0", "EPL-2.0",
}

# The identifiers an expression names.
ids(expr) := {w | some w in split(replace(replace(expr, "(", " "), ")", " "), " "); w != ""}

deny contains msg if {
	some c in input.components
	some id in ids(c.license)
	id in network_copyleft
	msg := sprintf("%s %s (%s) is licensed %s, a network copyleft license", [
		c.name, c.version, c.locations[0].path, c.license,
	])
}

warn contains msg if {
	some c in input.components
	some id in ids(c.license)
	id in weak_copyleft
	msg := sprintf("%s %s (%s) is licensed %s, a weak copyleft license: check how it is linked", [
		c.name, c.version, c.locations[0].path, c.license,
	])
}
