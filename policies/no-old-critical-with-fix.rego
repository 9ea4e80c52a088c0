# No CRITICAL vulnerability whose fix has been out for more than 30 days.
#
#   vigil scan --policy policies/no-old-critical-with-fix.rego
#
# The age is the advisory's: days from its `published` date to
# `data.vigil.today` (the scan's date, or SOURCE_DATE_EPOCH's). A finding
# whose advisory gives no date is left to the other policies. Suppressed
# findings (ignore file, VEX, baseline) are left out.
package main

import rego.v1

max_age_days := 30

deny contains msg if {
	some f in input.findings
	f.kind == "vulnerability"
	f.severity == "CRITICAL"
	f.fix_available
	not f.suppression
	age := days(data.vigil.today) - days(f.published)
	age > max_age_days
	msg := sprintf("%s: CRITICAL in %s %s (%s), published %s (%d days ago), has a fix: upgrade to %s", [
		f.id, f.package.name, f.package.version, f.location.path, f.published, age, f.fixed_versions[0],
	])
}

# Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
days(date) := n if {
	y0 := to_number(substring(date, 0, 4))
	m := to_number(trim_left(substring(date, 5, 2), "0"))
	d := to_number(trim_left(substring(date, 8, 2), "0"))
	y := y0 - january_or_february(m)
	era := floor(y / 400)
	yoe := y - era * 400
	mp := (m + 9) % 12
	doy := floor((153 * mp + 2) / 5) + d - 1
	doe := ((yoe * 365 + floor(yoe / 4)) - floor(yoe / 100)) + doy
	n := (era * 146097 + doe) - 719468
}

january_or_february(m) := 1 if m <= 2

january_or_february(m) := 0 if m > 2
