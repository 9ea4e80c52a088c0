# Helpers for vigil's IaC rules: `import data.vigil.lib`.
package vigil.lib

import rego.v1

# The line of `key` in the mapping `obj`, else the line `obj` starts on.
line(obj, key) := object.get(object.get(obj, "__lines__", {}), key, object.get(obj, "__line__", 0))

# Whether an environment variable or build argument name looks like it
# holds a secret.
secret_name(name) if regex.match(`(passw(or)?d|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential)`, lower(name))

# A pod spec's security context, or an empty one.
pod_security(r) := object.get(object.get(r, "pod_spec", {}), "securityContext", {}) if r.pod_spec != null

pod_security(r) := {} if r.pod_spec == null

# A container's security context, or an empty one.
security(c) := object.get(c, "securityContext", {})

# Terraform: the managed resources of a type.
resources(t) := [r | some r in input.resources; r.type == t]

# Whether a value could not be known statically (an unknown marker).
unknown(v) if {
	is_object(v)
	v.__unknown__
}

# The value of `key` in `obj`, `def` when it is absent or null.
get(obj, key, def) := v if {
	v := object.get(obj, key, null)
	v != null
} else := def

# Whether `key` is absent (or null) or false: an unknown value is neither.
off(obj, key) if get(obj, key, false) == false

# The nested blocks `key` of a body: an array of objects (a block given
# as one object, as in JSON, is one element); none when absent.
blocks(obj, key) := v if {
	v := object.get(obj, key, [])
	is_array(v)
} else := [v] if {
	v := object.get(obj, key, null)
	is_object(v)
	not unknown(v)
} else := []

# A string or a list as a list.
as_list(v) := v if is_array(v)
else := [v]

# Whether the value `v` refers to resource `r`: its address, or an
# attribute of it (`aws_s3_bucket.b.id`).
refers(v, r) if v == r.id

refers(v, r) if {
	is_string(v)
	startswith(v, concat("", [r.id, "."]))
}

# Whether `v` refers to `r`, or equals its attribute `key` (a name, as
# plans give it).
refers_named(v, r, key) if refers(v, r)

refers_named(v, r, key) if {
	is_string(v)
	v == object.get(r.attributes, key, null)
}

# Whether a value is unknown, or a reference to a module output or a data
# source: what it stands for is not known.
opaque(v) if unknown(v)

opaque(v) if {
	is_string(v)
	regex.match(`^(module|data)\.`, v)
	not refers_any(v)
}

refers_any(v) if {
	some r in input.resources
	refers(v, r)
}

# Whether any resource of type `t` has an opaque value for `key` (then
# which resource it belongs to is not known either).
some_unknown(t, key) if {
	some x in resources(t)
	opaque(object.get(x.attributes, key, null))
}

# A string lower-cased; "" for anything else.
lower_str(v) := lower(v) if is_string(v)
else := ""

# An IAM policy document: a JSON string, or a jsonencode() with unknown
# parts.
policy_doc(v) := json.unmarshal(v) if {
	is_string(v)
	json.is_valid(v)
}

policy_doc(v) := v.__jsonencode__ if is_object(v)

# The statements of a policy document.
statements(doc) := as_list(object.get(doc, "Statement", []))

# Whether a CIDR (IPv4 or IPv6) is the whole Internet.
open_cidr(c) if c in {"0.0.0.0/0", "::/0"}

# Whether the port range from..to includes `p`.
covers_port(from, to, p) if {
	is_number(from)
	is_number(to)
	from <= p
	p <= to
}
