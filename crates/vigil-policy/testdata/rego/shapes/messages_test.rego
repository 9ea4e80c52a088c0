package custom

test_denies if {
	count(deny) > 0 with input as {"findings": [{}], "components": []}
}
