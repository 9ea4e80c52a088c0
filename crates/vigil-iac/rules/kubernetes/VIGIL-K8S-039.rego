# VIGIL-K8S-039: Image not pinned by digest.
package vigil.rules.k8s_039

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-K8S-039",
	"title": "Image not pinned by digest",
	"severity": "LOW",
	"description": "A tag can be moved to another image at any time (by the publisher, or by whoever takes over the registry account); only a digest names the image that was reviewed.",
	"remediation": "Refer to the image as `name:tag@sha256:...` and update digests with a bot.",
	"references": ["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
	"formats": ["kubernetes"],
	"status": "preview",
}

deny contains res if {
	some r in input.resources
	some c in r.containers
	not contains(c.image, "@")
	parts := split(c.image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	not endswith(last, ":latest")
	res := {"msg": sprintf("container %q of %s refers to %s by tag, not digest", [c.name, r.id, c.image]), "line": lib.line(c, "image"), "resource": r.id}
}
