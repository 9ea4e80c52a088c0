# VIGIL-CFN-028: ECR repository allows image tags to be overwritten.
package vigil.rules.cfn_028

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-028",
	"title": "ECR repository allows image tags to be overwritten",
	"severity": "LOW",
	"description": "With mutable tags, pushing an image under an existing tag silently changes what deployments of that tag run, which hides tampering and breaks reproducibility.",
	"remediation": "Set `ImageTagMutability: IMMUTABLE` (and deploy by digest).",
	"references": ["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::ECR::Repository"
	not lib.has(r.properties, "ImageTagMutability")
	res := {"msg": sprintf("ECR repository %s has mutable tags (the default)", [r.id]), "line": r.line, "resource": r.id}
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::ECR::Repository"
	r.properties.ImageTagMutability == "MUTABLE"
	res := {"msg": sprintf("ECR repository %s has mutable tags", [r.id]), "line": lib.line(r.properties, "ImageTagMutability"), "resource": r.id}
}
