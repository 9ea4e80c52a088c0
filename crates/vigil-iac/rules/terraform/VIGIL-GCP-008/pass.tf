resource "google_container_cluster" "main" {
  name     = "main"
  location = "europe-west1"

  remove_default_node_pool = true
  initial_node_count       = 1
  enable_legacy_abac       = false

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }
}
