resource "google_storage_bucket_iam_member" "reader" {
  bucket = "acme-reports"
  role   = "roles/storage.objectViewer"
  member = "group:analysts@example.com"
}
