resource "aws_kms_key" "data" {
  description             = "Application data"
  deletion_window_in_days = 30
}
