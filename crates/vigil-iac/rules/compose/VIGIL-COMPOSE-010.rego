# VIGIL-COMPOSE-010: Image tag latest or missing.
package vigil.rules.compose_010

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-COMPOSE-010",
	"title": "Image tag latest or missing",
	"severity": "MEDIUM",
	"description": "An image without a tag, or tagged `latest`, is whatever the registry serves at pull time: deployments are not reproducible and a pushed (or compromised) image is picked up silently.",
	"remediation": "Pin the image to a version tag, better a digest (`image: name:1.2.3@sha256:...`).",
	"references": ["https://docs.docker.com/reference/compose-file/services/#image"],
	"formats": ["compose"],
	"status": "stable",
}

deny contains res if {
	some s in input.services
	is_string(s.image)
	not contains(s.image, "$")
	s.digest == null
	unpinned(s.tag)
	res := {"msg": sprintf("service %q uses image %s without a version tag", [s.name, s.image]), "line": lib.line(s.service, "image"), "resource": s.id}
}

unpinned(tag) if tag == null

unpinned(tag) if tag == "latest"
