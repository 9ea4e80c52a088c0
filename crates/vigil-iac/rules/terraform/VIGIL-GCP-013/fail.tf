resource "google_compute_instance" "worker" {
  name         = "worker"
  machine_type = "e2-standard-2"
  zone         = "europe-west1-b"

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    subnetwork = "projects/acme-prod/regions/europe-west1/subnetworks/private"
  }

  metadata = {
    enable-oslogin = "TRUE"
    serial-port-enable = "TRUE"
  }

  service_account {
    email  = "worker@acme-prod.iam.gserviceaccount.com"
    scopes = ["cloud-platform"]
  }
}
