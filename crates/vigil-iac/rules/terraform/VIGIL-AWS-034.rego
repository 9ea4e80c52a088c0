# VIGIL-AWS-034: ECR repository allows image tags to be overwritten.
package vigil.rules.aws_034

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-AWS-034",
	"title": "ECR repository allows image tags to be overwritten",
	"severity": "LOW",
	"description": "With mutable tags, pushing an image under an existing tag silently replaces what deployments pull; an attacker with push access can swap a trusted tag for a malicious image.",
	"remediation": "Set `image_tag_mutability = \"IMMUTABLE\"` and deploy by immutable tag or digest.",
	"references": [
		"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecr_repository",
		"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"
	],
	"formats": [
		"terraform"
	],
	"status": "stable"
}

deny contains res if {
	some r in lib.resources("aws_ecr_repository")
	lib.get(r.attributes, "image_tag_mutability", "MUTABLE") == "MUTABLE"
	res := {"msg": sprintf("%s has mutable image tags", [r.id]), "line": lib.line(r.attributes, "image_tag_mutability"), "resource": r.id}
}
