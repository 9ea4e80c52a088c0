resource "azurerm_mssql_firewall_rule" "everyone" {
  name             = "everyone"
  server_id        = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data/providers/Microsoft.Sql/servers/acme-sql"
  start_ip_address = "0.0.0.0"
  end_ip_address   = "255.255.255.255"
}
