# No vulnerability from CISA's catalogue of known exploited vulnerabilities
# (KEV), whatever its severity: it is being exploited now.
#
#   vigil scan --policy policies/no-kev.rego
package main

deny contains msg if {
	some f in input.findings
	f.kev
	not f.suppression
	msg := sprintf("%s is known to be exploited (in CISA's KEV catalogue): %s %s in %s", [
		label(f), f.package.name, f.package.version, f.location.path,
	])
}

# The finding's ID, with its CVE IDs when it has any.
label(f) := sprintf("%s (%s)", [f.id, concat(", ", cves)]) if {
	cves := [a | some a in f.aliases; startswith(a, "CVE-")]
	count(cves) > 0
} else := f.id
