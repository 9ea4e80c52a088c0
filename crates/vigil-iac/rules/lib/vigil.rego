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
