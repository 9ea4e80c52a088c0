# VIGIL-CFN-029: ECR repository does not scan images on push.
package vigil.rules.cfn_029

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-029",
	"title": "ECR repository does not scan images on push",
	"severity": "LOW",
	"description": "Scanning on push reports known vulnerabilities in an image as soon as it is pushed, before it is deployed.",
	"remediation": "Set `ImageScanningConfiguration.ScanOnPush: true`, or configure enhanced scanning for the registry.",
	"references": ["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html"],
	"formats": ["cloudformation"],
	"status": "stable",
}

deny contains res if {
	some r in input.resources
	r.type == "AWS::ECR::Repository"
	scan := object.get(r.properties, "ImageScanningConfiguration", {})
	not lib.intrinsic(scan)
	lib.false_or_absent(scan, "ScanOnPush")
	res := {"msg": sprintf("ECR repository %s does not scan images on push", [r.id]), "line": lib.line_or(scan, "ScanOnPush", r.line), "resource": r.id}
}
