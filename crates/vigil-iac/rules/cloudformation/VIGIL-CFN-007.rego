# VIGIL-CFN-007: S3 bucket policy allows anyone without a condition.
package vigil.rules.cfn_007

import data.vigil.lib
import rego.v1

metadata := {
	"id": "VIGIL-CFN-007",
	"title": "S3 bucket policy allows anyone without a condition",
	"severity": "HIGH",
	"description": "A bucket policy statement that allows the principal `*` with no condition grants its actions to every AWS user and to anonymous requests: the bucket is public for those actions.",
	"remediation": "Name the principals (accounts, roles, the CloudFront service principal) or restrict the statement with a condition such as `aws:SourceArn`, `aws:SourceVpce` or `aws:PrincipalOrgID`.",
	"references": ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html", "CIS AWS Foundations Benchmark v3.0.0 2.1.4"],
	"formats": ["cloudformation"],
	"status": "stable",
}

anyone(p) if p == "*"

anyone(p) if {
	is_object(p)
	some a in lib.as_list(object.get(p, "AWS", []))
	a == "*"
}

# The bucket a policy is for, by logical ID when it is a `Ref`.
bucket(p) := b.Ref if {
	b := p.Bucket
	is_object(b)
	is_string(b.Ref)
} else := p.Bucket if {
	is_string(p.Bucket)
} else := "its bucket"

deny contains res if {
	some r in input.resources
	r.type == "AWS::S3::BucketPolicy"
	some s in lib.statements(r.properties.PolicyDocument)
	s.Effect == "Allow"
	anyone(s.Principal)
	not lib.has(s, "Condition")
	bucket := bucket(r.properties)
	res := {"msg": sprintf("bucket policy %s allows anyone to %v on %s", [r.id, s.Action, bucket]), "line": lib.line(s, "Principal"), "resource": r.id}
}
