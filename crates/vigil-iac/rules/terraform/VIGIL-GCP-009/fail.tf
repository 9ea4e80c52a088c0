resource "google_container_cluster" "main" {
  name     = "main"
  location = "europe-west1"

  remove_default_node_pool = true
  initial_node_count       = 1
  enable_legacy_abac       = false
}
