resource "azurerm_linux_web_app" "api" {
  name                = "acme-api"
  resource_group_name = "rg-web"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Web/serverFarms/plan"
  https_only          = false

  site_config {
    minimum_tls_version = "1.2"
  }
}
