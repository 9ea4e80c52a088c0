# VIGIL-K8S-014: Image tag latest or missing.
package vigil.rules.k8s_014

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-014",
	"title": "Image tag latest or missing",
	"severity": "MEDIUM",
	"description": "An image without a tag, or tagged `latest`, changes under the workload: what runs is not what was reviewed or scanned, and a rollback cannot return to it.",
	"remediation": "Pin the image to a version tag, or better a digest (`image@sha256:...`).",
	"references": ["https://kubernetes.io/docs/concepts/containers/images/"],
	"formats": ["kubernetes"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	not contains(c.image, "@")
	unpinned(c.image)
	res := {"msg": sprintf("container %q of %s uses the image %s without a version tag", [c.name, r.id, c.image]), "line": lib.line(c, "image"), "resource": r.id}
}

tag(image) := t if {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	t := split(last, ":")[1]
}

unpinned(image) if not tag(image)

unpinned(image) if tag(image) == "latest"
