resource "azurerm_network_security_group" "admin" {
  name                = "nsg-admin"
  location            = "westeurope"
  resource_group_name = "rg-net"

  security_rule {
    name                       = "admin"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "3389"
    source_address_prefix      = "10.20.0.0/24"
    destination_address_prefix = "*"
  }
}
