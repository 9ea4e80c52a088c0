resource "azurerm_storage_container" "reports" {
  name                  = "reports"
  storage_account_id    = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmedata"
  container_access_type = "container"
}
