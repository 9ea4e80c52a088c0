# VIGIL-GHA-012: Job container image tag latest or missing.
package vigil.rules.gha_012

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-GHA-012",
	"title": "Job container image tag latest or missing",
	"severity": "LOW",
	"description": "A job `container` or `services` image without a tag, or tagged `latest`, changes between runs: builds are not reproducible and a pushed image is picked up silently.",
	"remediation": "Pin the image to a version tag, better a digest.",
	"references": ["https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idcontainer"],
	"formats": ["github-actions"],
	"status": "stable",
}

deny contains res if {
	some j in input.jobs
	some c in containers(j)
	img := image(c.value)
	is_string(img)
	not contains(img, "${{")
	not contains(img, "@")
	unpinned(img)
	res := {"msg": sprintf("%s uses image %s without a version tag", [j.id, img]), "line": c.line, "resource": j.id}
}

containers(j) := array.concat(
	[{"value": j.job.container, "line": lib.line(j.job, "container")} | j.job.container],
	[{"value": svc, "line": lib.line(j.job.services, name)} | some name, svc in object.get(j.job, "services", {}); not startswith(name, "__")],
)

image(v) := v if is_string(v)

image(v) := v.image if is_object(v)

# No tag after the last path segment, or `latest`.
unpinned(img) if not regex.match(`:[^/]+$`, img)

unpinned(img) if endswith(img, ":latest")
