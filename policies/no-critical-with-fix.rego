# No CRITICAL vulnerability that already has a fix.
#
#   vigil scan --policy policies/no-critical-with-fix.rego
#
# A critical finding without a fix is left to --fail-on; one with a fix
# means an upgrade is waiting. Suppressed findings (ignore file, VEX,
# baseline) are left out.
package main

deny contains msg if {
	some f in input.findings
	f.kind == "vulnerability"
	f.severity == "CRITICAL"
	f.fix_available
	not f.suppression
	msg := sprintf("%s: CRITICAL in %s %s (%s) has a fix: upgrade to %s", [
		f.id, f.package.name, f.package.version, f.location.path, f.fixed_versions[0],
	])
}
