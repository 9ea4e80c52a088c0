resource "aws_iam_policy" "read_logs" {
  name = "read-logs"

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::acme-prod-logs", "arn:aws:s3:::acme-prod-logs/*"]
    }]
  })
}
