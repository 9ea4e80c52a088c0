resource "google_compute_firewall" "admin" {
  name    = "allow-admin"
  network = "projects/acme-prod/global/networks/main"

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }

  source_ranges = ["35.235.240.0/20"]
  target_tags   = ["admin"]
}
