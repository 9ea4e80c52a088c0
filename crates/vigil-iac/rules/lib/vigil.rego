# Helpers for vigil's IaC rules: `import data.vigil.lib`.
package vigil.lib

import rego.v1

# The line of `key` in the mapping `obj`, else the line `obj` starts on.
line(obj, key) := object.get(object.get(obj, "__lines__", {}), key, object.get(obj, "__line__", 0)) if is_object(obj)

line(obj, _) := 0 if not is_object(obj)

# Whether an environment variable or build argument name looks like it
# holds a secret.
secret_name(name) if regex.match(`(passw(or)?d|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential)`, lower(name))

# A pod spec's security context, or an empty one.
pod_security(r) := object.get(object.get(r, "pod_spec", {}), "securityContext", {}) if r.pod_spec != null

pod_security(r) := {} if r.pod_spec == null

# A container's security context, or an empty one.
security(c) := object.get(c, "securityContext", {})

# The annotations of an object (a resource's document, pod metadata).
annotations(obj) := object.get(object.get(obj, "metadata", {}), "annotations", {})

# The annotations of a workload's pods, or none.
pod_annotations(r) := object.get(r.pod_metadata, "annotations", {}) if r.pod_metadata != null

pod_annotations(r) := {} if r.pod_metadata == null

# The rules of a Role or ClusterRole (none for other kinds).
rbac_rules(r) := object.get(r.document, "rules", []) if r.kind in {"Role", "ClusterRole"}

# Whether an RBAC rule applies to the core API group ("" or "*").
core_group(rule) if "" in object.get(rule, "apiGroups", [])

core_group(rule) if "*" in object.get(rule, "apiGroups", [])

# Whether an RBAC rule grants one of `verbs` (a set of lower-case verbs),
# or `*`.
grants_verb(rule, verbs) if {
	some v in object.get(rule, "verbs", [])
	lower(v) in verbs
}

grants_verb(rule, _) if "*" in object.get(rule, "verbs", [])

# Whether a configuration key names a secret itself (`DB_PASSWORD`,
# `apiKey`, `auth.token`), not a setting about one
# (`PASSWORD_MIN_LENGTH`, `DB_PASSWORD_FILE`).
secret_key(name) if regex.match(`(^|[_.-])(passw(or)?d|secret|token|api[_-]?key|secret[_-]?key|private[_-]?key|access[_-]?key|client[_-]?secret|credentials?)$`, lower(name))

secret_key(name) if regex.match(`^[a-z0-9]*(password|secret|token|apikey)$`, lower(name))

# Whether a value is a literal secret: a non-empty string that is not a
# reference (`${VAR}`, `{{ .x }}`), a placeholder or a boolean.
literal_secret(value) if {
	is_string(value)
	trim_space(value) != ""
	not regex.match(`^[ \t\n]*(\$\{.*\}|\{\{.*\}\}|<.*>|true|false|yes|no|changeme|null|none|\*+)[ \t\n]*$`, lower(value))
}

# The line of `key` in the mapping `obj`, else `fallback`.
line_or(obj, key, fallback) := object.get(object.get(obj, "__lines__", {}), key, fallback) if is_object(obj)

line_or(obj, _, fallback) := fallback if not is_object(obj)

# Whether `key` is set in the object `obj`.
has(obj, key) if {
	is_object(obj)
	key in object.keys(obj)
}

# Whether a value is true: the boolean, or the string "true" (any case).
is_true(v) if v == true

is_true(v) if {
	is_string(v)
	lower(v) == "true"
}

# Whether a value is false: the boolean, or the string "false" (any case).
is_false(v) if v == false

is_false(v) if {
	is_string(v)
	lower(v) == "false"
}

# Whether `obj[key]` is absent or false (an unknown value is neither;
# `obj` that is not an object is neither).
false_or_absent(obj, key) if {
	is_object(obj)
	not has(obj, key)
}

false_or_absent(obj, key) if {
	is_object(obj)
	is_false(obj[key])
}

# Whether a value is an unresolved CloudFormation intrinsic function
# (`{"Ref": ...}`, `{"Fn::If": ...}`): an unknown, not a setting.
intrinsic(v) if {
	is_object(v)
	some k in object.keys(v)
	k in {"Ref", "Condition"}
}

intrinsic(v) if {
	is_object(v)
	some k in object.keys(v)
	startswith(k, "Fn::")
}

# A value as a list: an array itself, anything else alone in one.
as_list(v) := v if is_array(v)

as_list(v) := [v] if not is_array(v)

# A number, or a string of digits as a number; undefined otherwise.
num(v) := v if is_number(v)

num(v) := to_number(v) if {
	is_string(v)
	regex.match(`^-?[0-9]+$`, v)
}

# The statements (objects) of an IAM policy document.
statements(doc) := [s | some s in as_list(doc.Statement); is_object(s)] if is_object(doc)

statements(doc) := [] if not is_object(doc)

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

# Whether a CIDR (IPv4 or IPv6) is the whole Internet.
open_cidr(c) if c in {"0.0.0.0/0", "::/0"}

# Whether the port range from..to includes `p`.
covers_port(from, to, p) if {
	is_number(from)
	is_number(to)
	from <= p
	p <= to
}
