resource "google_sql_database_instance" "main" {
  name             = "orders"
  database_version = "POSTGRES_16"
  region           = "europe-west1"

  settings {
    tier = "db-custom-2-7680"

    ip_configuration {
      ipv4_enabled = true
      ssl_mode     = "ENCRYPTED_ONLY"
      authorized_networks {
        name  = "anyone"
        value = "0.0.0.0/0"
      }
    }

    backup_configuration {
      enabled = true
    }
  }
}
