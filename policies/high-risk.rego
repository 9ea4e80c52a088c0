# No open vulnerability with a risk score of 7 or more (docs/risk.md) in a
# process exposed to the internet; a warning for one with such a score
# elsewhere. The score already weighs exposure, data reach, whether the
# code is loaded or present, and known exploitation; this policy adds a
# hard line on public exposure.
#
#   vigil scan host --policy policies/high-risk.rego
package main

deny contains msg if {
	some f in input.findings
	not f.suppression
	f.risk.score >= 7
	f.runtime.exposure == "public"
	msg := sprintf("%s: risk %.1f, exposed to the internet: %s %s (%s)", [
		f.id, f.risk.score, f.package.name, f.package.version, concat("; ", f.risk.reasons),
	])
}

warn contains msg if {
	some f in input.findings
	not f.suppression
	f.risk.score >= 7
	not f.runtime.exposure == "public"
	msg := sprintf("%s: risk %.1f: %s %s (%s)", [
		f.id, f.risk.score, f.package.name, f.package.version, concat("; ", f.risk.reasons),
	])
}
