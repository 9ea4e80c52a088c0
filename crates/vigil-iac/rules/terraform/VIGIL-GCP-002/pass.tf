resource "google_storage_bucket" "reports" {
  name          = "acme-reports"
  location      = "EU"
  force_destroy = false

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }
}
