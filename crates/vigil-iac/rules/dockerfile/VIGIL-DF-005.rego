# VIGIL-DF-005: Base image tag latest or missing.
package vigil.rules.df_005

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-DF-005",
	"title": "Base image tag latest or missing",
	"severity": "MEDIUM",
	"description": "A base image without a tag, or tagged `latest`, changes under the build: two builds of the same Dockerfile give different images.",
	"remediation": "Pin the base image to a version tag, or better a digest.",
	"references": ["CIS Docker Benchmark 4.2", "https://docs.docker.com/reference/dockerfile/#from"],
	"formats": ["dockerfile"],
	"status": "stable",
}

deny contains res if {
	some s in input.stages
	not s.from_stage
	s.digest == null
	not contains(s.image, "$")
	unpinned(s.tag)
	res := {"msg": sprintf("FROM %s has no version tag", [s.image]), "line": s.line, "resource": sprintf("stage %d", [s.index])}
}

unpinned(tag) if tag == null

unpinned(tag) if tag == "latest"
