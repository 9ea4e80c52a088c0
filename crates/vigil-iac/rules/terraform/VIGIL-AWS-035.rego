# VIGIL-AWS-035: ECR repository does not scan images on push.
package vigil.rules.aws_035

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-035",
	"title": "ECR repository does not scan images on push",
	"severity": "LOW",
	"description": "Scanning on push reports known vulnerabilities in an image as soon as it is uploaded, before it is deployed.",
	"remediation": "Add `image_scanning_configuration { scan_on_push = true }`, or configure registry-wide scanning with `aws_ecr_registry_scanning_configuration`.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecr_repository#image_scanning_configuration",
		"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_ecr_repository")
	count(lib.resources("aws_ecr_registry_scanning_configuration")) == 0
	not scans(r)
	res := {"msg": sprintf("%s does not scan images on push", [r.id]), "line": scan_line(r), "resource": r.id}
}

scans(r) if {
	some s in lib.blocks(r.attributes, "image_scanning_configuration")
	not lib.off(s, "scan_on_push")
}

scan_line(r) := lib.line(s, "scan_on_push") if {
	some s in lib.blocks(r.attributes, "image_scanning_configuration")
} else := lib.line(r.attributes, "")
