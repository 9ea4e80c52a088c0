resource "google_storage_bucket_iam_binding" "public" {
  bucket  = "acme-reports"
  role    = "roles/storage.objectViewer"
  members = ["allUsers"]
}
