resource "google_compute_firewall" "admin" {
  name    = "allow-admin"
  network = "projects/acme-prod/global/networks/main"

  allow {
    protocol = "tcp"
    ports    = ["3000-4000"]
  }

  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["admin"]
}
