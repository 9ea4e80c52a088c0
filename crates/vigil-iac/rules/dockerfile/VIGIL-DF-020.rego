# VIGIL-DF-020: TLS verification disabled in the environment.
package vigil.rules.df_020

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-020",
	"title": "TLS verification disabled in the environment",
	"severity": "HIGH",
	"description": "ENV variables that turn certificate checks off (`NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `GIT_SSL_NO_VERIFY`, `CURL_INSECURE`...) stay in the image: the application accepts any certificate at runtime, not only during the build.",
	"remediation": "Remove the variable; add the needed CA certificate to the image's trust store.",
	"references": ["https://nodejs.org/api/cli.html#node_tls_reject_unauthorizedvalue"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some i in input.instructions
	i.cmd == "ENV"
	some v in object.get(i, "vars", [])
	insecure(upper(v.name), lower(sprintf("%v", [v.value])))
	res := {"msg": sprintf("ENV %s=%v turns TLS certificate checks off", [v.name, v.value]), "line": i.line}
}

insecure(name, value) if {
	name in {"NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY"}
	value == "0"
}

insecure(name, value) if {
	name in {"GIT_SSL_NO_VERIFY", "CURL_INSECURE"}
	value in {"1", "true", "yes"}
}

insecure(name, value) if {
	name == "NPM_CONFIG_STRICT_SSL"
	value == "false"
}
