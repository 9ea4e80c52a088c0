# VIGIL-DF-017: Credential file copied into the image.
package vigil.rules.df_017

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-017",
	"title": "Credential file copied into the image",
	"severity": "HIGH",
	"description": "A private key, `.env`, `.npmrc`, `.netrc` or cloud credentials file copied into a layer stays in the image even if a later step deletes it: anyone who pulls the image can read it.",
	"remediation": "Use `RUN --mount=type=secret` (or `--mount=type=ssh`) for build-time credentials and inject runtime ones from a secret store.",
	"references": ["CIS Docker Benchmark 4.10", "https://docs.docker.com/build/building/secrets/"],
	"formats": ["dockerfile"],
	"status": "stable",
}

# File names that hold credentials.
names := {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".env", ".npmrc", ".pypirc", ".netrc", ".git-credentials", ".dockercfg", "credentials.json"}

deny contains res if {
	some i in input.instructions
	i.cmd in {"COPY", "ADD"}
	not i.flags.from
	words := [w | some w in split(i.value, " "); w != ""]
	count(words) > 1
	some n, src in words
	n < count(words) - 1
	credential(src)
	res := {"msg": sprintf("%s puts %s into the image", [i.cmd, src]), "line": i.line}
}

credential(src) if {
	parts := split(trim_right(src, "/"), "/")
	parts[count(parts) - 1] in names
}

credential(src) if endswith(src, ".aws/credentials")

credential(src) if endswith(src, ".docker/config.json")

credential(src) if regex.match(`(^|/)[^/]*\.(key|p12|pfx)$`, src)
