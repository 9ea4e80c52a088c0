# Helpers for vigil's Terraform rules: `import data.vigil.lib.terraform as tf`.
package vigil.lib.terraform

import data.vigil.lib
import rego.v1

# AWS security group rules, from inline blocks of aws_security_group,
# aws_security_group_rule and aws_vpc_security_group_*_rule:
# {"resource", "direction", "cidrs", "from", "to", "protocol", "line"}.
aws_sg_rules contains x if {
	some r in lib.resources("aws_security_group")
	some dir in ["ingress", "egress"]
	some b in lib.blocks(r.attributes, dir)
	x := sg_rule(r, dir, b)
}

aws_sg_rules contains x if {
	some r in lib.resources("aws_security_group_rule")
	x := sg_rule(r, r.attributes.type, r.attributes)
}

aws_sg_rules contains x if {
	some dir in ["ingress", "egress"]
	some r in lib.resources(concat("", ["aws_vpc_security_group_", dir, "_rule"]))
	a := r.attributes
	x := {
		"resource": r.id,
		"direction": dir,
		"cidrs": [c | some k in ["cidr_ipv4", "cidr_ipv6"]; c := lib.get(a, k, null); c != null],
		"from": lib.get(a, "from_port", null),
		"to": lib.get(a, "to_port", null),
		"protocol": lib.get(a, "ip_protocol", null),
		"line": line_of(a, ["cidr_ipv4", "cidr_ipv6"]),
	}
}

sg_rule(r, dir, b) := {
	"resource": r.id,
	"direction": dir,
	"cidrs": array.concat(list(b, "cidr_blocks"), list(b, "ipv6_cidr_blocks")),
	"from": lib.get(b, "from_port", null),
	"to": lib.get(b, "to_port", null),
	"protocol": lib.get(b, "protocol", null),
	"line": line_of(b, ["cidr_blocks", "ipv6_cidr_blocks"]),
}

# A list attribute, [] when absent.
list(obj, key) := lib.as_list(lib.get(obj, key, []))

# The line of the first of `keys` a body has, else the body's.
line_of(obj, keys) := l if {
	ls := [lib.line(obj, k) | some k in keys; object.get(obj, k, null) != null]
	count(ls) > 0
	l := ls[0]
} else := lib.line(obj, "")

# Whether a rule's sources or destinations include the whole Internet.
open_to_world(x) if {
	some c in x.cidrs
	lib.open_cidr(c)
}

# Whether a protocol value means every protocol (and so every port).
all_protocols(p) if p in {"-1", -1, "all"}

# Whether an AWS rule lets traffic reach port `p`.
allows_port(x, p) if all_protocols(x.protocol)

allows_port(x, p) if {
	lib.lower_str(x.protocol) in {"tcp", "6"}
	lib.covers_port(x.from, x.to, p)
}

# Whether a port range string ("22", "20-25", "*") includes `p`.
range_covers(s, _) if s == "*"

range_covers(s, p) if {
	is_string(s)
	regex.match(`^[0-9]+$`, s)
	to_number(s) == p
}

range_covers(s, p) if {
	is_string(s)
	regex.match(`^[0-9]+-[0-9]+$`, s)
	parts := split(s, "-")
	to_number(parts[0]) <= p
	p <= to_number(parts[1])
}

range_covers(n, p) if {
	is_number(n)
	n == p
}

# Azure NSG rules, standalone or inline: {"resource", "rule"}.
nsg_rules contains x if {
	some r in lib.resources("azurerm_network_security_rule")
	x := {"resource": r.id, "rule": r.attributes}
}

nsg_rules contains x if {
	some r in lib.resources("azurerm_network_security_group")
	some b in lib.blocks(r.attributes, "security_rule")
	x := {"resource": r.id, "rule": b}
}

# Whether an Azure address prefix means any source on the Internet.
azure_any_source(s) if lib.lower_str(s) in {"*", "0.0.0.0/0", "0.0.0.0", "internet", "any", "::/0"}

# Whether an inbound Azure NSG rule allows port `p` from the Internet.
nsg_open_port(rule, p) if {
	lib.lower_str(rule.direction) == "inbound"
	lib.lower_str(rule.access) == "allow"
	lib.lower_str(lib.get(rule, "protocol", "*")) in {"tcp", "*"}
	some src in array.concat([lib.get(rule, "source_address_prefix", null)], list(rule, "source_address_prefixes"))
	azure_any_source(src)
	some pr in array.concat([lib.get(rule, "destination_port_range", null)], list(rule, "destination_port_ranges"))
	range_covers(pr, p)
}

# Whether a GCP firewall lets the whole Internet reach port `p`.
gcp_open_port(r, p) if {
	a := r.attributes
	upper(lib.get(a, "direction", "INGRESS")) == "INGRESS"
	not lib.get(a, "disabled", false) == true
	some c in list(a, "source_ranges")
	lib.open_cidr(c)
	some al in lib.blocks(a, "allow")
	lib.lower_str(al.protocol) in {"tcp", "all"}
	gcp_ports_cover(al, p)
}

gcp_ports_cover(al, _) if {
	ports := lib.get(al, "ports", [])
	is_array(ports)
	count(ports) == 0
}

gcp_ports_cover(al, p) if {
	some s in lib.as_list(lib.get(al, "ports", []))
	range_covers(s, p)
}
