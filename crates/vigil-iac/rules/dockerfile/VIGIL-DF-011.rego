# VIGIL-DF-011: TLS verification disabled in a download.
package vigil.rules.df_011

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-011",
	"title": "TLS verification disabled in a download",
	"severity": "HIGH",
	"description": "Turning off certificate checks (`curl -k`, `wget --no-check-certificate`, `pip --trusted-host`, `npm strict-ssl false`, `git http.sslVerify=false`) lets anyone on the build's network path replace what is downloaded and installed into the image.",
	"remediation": "Keep TLS verification on; add the corporate CA to the image's trust store if a proxy intercepts TLS.",
	"references": ["https://curl.se/docs/sslcerts.html"],
	"formats": ["dockerfile"],
	"status": "stable",
}

patterns := [
	`(^|[;&|( \t\n])wget[ \t\n]([^;&|]*[ \t\n])?--no-check-certificate([ \t\n]|$)`,
	`(^|[;&|( \t\n])pip[0-9.]*[ \t\n]([^;&|]*[ \t\n])?--trusted-host[ \t\n=]`,
	`npm[ \t\n]+config[ \t\n]+set[ \t\n]+strict-ssl[ \t\n]+false`,
	`yarn[ \t\n]+config[ \t\n]+set[ \t\n]+(strict-ssl|enablestrictssl)[ \t\n]+false`,
	`git[ \t\n]+(-c[ \t\n]+http\.sslverify=false|config[ \t\n]+(--global[ \t\n]+|--system[ \t\n]+)?http\.sslverify[ \t\n]+false)`,
]

deny contains res if {
	some i in input.instructions
	i.cmd == "RUN"
	some p in patterns
	regex.match(p, lower(concat("\n", array.concat([i.value], i.heredocs))))
	res := {"msg": "RUN downloads without checking TLS certificates", "line": i.line}
}

# curl's options are case-sensitive (`-K` reads a config file).
deny contains res if {
	some i in input.instructions
	i.cmd == "RUN"
	regex.match(`(^|[;&|( \t\n])curl[ \t\n]([^;&|]*[ \t\n])?(-[A-Za-z]*k[A-Za-z]*|--insecure)([ \t\n]|$)`, concat("\n", array.concat([i.value], i.heredocs)))
	res := {"msg": "RUN downloads without checking TLS certificates", "line": i.line}
}
