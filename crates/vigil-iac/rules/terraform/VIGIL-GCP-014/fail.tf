resource "google_kms_crypto_key" "data" {
  name     = "data"
  key_ring = "projects/acme-prod/locations/europe-west1/keyRings/main"
}
