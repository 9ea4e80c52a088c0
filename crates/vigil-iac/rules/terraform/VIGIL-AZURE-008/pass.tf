resource "azurerm_mssql_firewall_rule" "office" {
  name             = "office"
  server_id        = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data/providers/Microsoft.Sql/servers/acme-sql"
  start_ip_address = "203.0.113.10"
  end_ip_address   = "203.0.113.20"
}
