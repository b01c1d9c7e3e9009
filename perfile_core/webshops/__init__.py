"""Pure parsing of webshop order payloads (Shopify, WooCommerce) into one intake shape."""
