# VIGIL-COMPOSE-011: Secret in an environment variable.
package vigil.rules.compose_011

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-011",
	"title": "Secret in an environment variable",
	"severity": "HIGH",
	"description": "A password, token or key written as a literal `environment` value (or as the default of `${VAR:-default}`) is committed with the file and visible to anyone who can inspect the container.",
	"remediation": "Pass it from the environment or an env file kept out of the repository (`${VAR}`), or use Compose `secrets` and a `*_FILE` variable.",
	"references": ["https://docs.docker.com/compose/how-tos/use-secrets/", "https://docs.docker.com/reference/compose-file/services/#environment"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	some e in s.environment
	lib.secret_name(e.name)
	not endswith(upper(e.name), "_FILE")
	is_string(e.value)
	e.value != ""
	not contains(e.value, "$")
	not regex.match(`^([0-9]+|true|false|yes|no)$`, lower(e.value))
	res := {"msg": sprintf("service %q sets %s to a literal value", [s.name, e.name]), "line": e.line, "resource": s.id}
}
