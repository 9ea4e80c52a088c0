package custom

deny contains "as a string" if {
	count(input.findings) > 0
}

deny contains {"msg": "as an object", "severity": "high"} if {
	count(input.findings) > 0
}

violation contains {"msg": "a violation"} if {
	count(input.components) > 0
}

warn contains "never" if {
	count(input.findings) > 100
}
