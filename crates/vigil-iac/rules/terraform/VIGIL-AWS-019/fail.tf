resource "aws_instance" "worker" {
  ami                         = "ami-0abcdef1234567890"
  instance_type               = "t3.small"
  subnet_id                   = "subnet-0a1b2c3d"
  associate_public_ip_address = true

  metadata_options {
    http_tokens = "required"
  }
}
