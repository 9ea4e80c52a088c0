resource "google_project_iam_member" "viewer" {
  project = "acme-prod"
  role    = "roles/viewer"
  member  = "group:platform@example.com"
}
