resource "google_project_iam_member" "owner" {
  project = "acme-prod"
  role    = "roles/owner"
  member  = "user:alice@example.com"
}
