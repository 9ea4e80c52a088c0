resource "aws_s3_bucket" "logs" {
  bucket = "acme-prod-logs"
}

resource "aws_kms_key" "s3" {
  description         = "S3 data key"
  enable_key_rotation = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.s3.arn
    }
  }
}
