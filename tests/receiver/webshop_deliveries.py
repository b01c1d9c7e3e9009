"""Small signed Shopify and WooCommerce order deliveries, built here rather than read from samples."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


def _signature(secret: str, body: bytes) -> str:
    """Both webshops sign base64(HMAC-SHA256(secret, raw body))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify_order(secret: str, shop_domain: str, order_id: int, *, webhook_id: str) -> tuple[bytes, dict[str, str]]:
    """An orders/create delivery as Shopify sends it, from the shop `shop_domain` (header as given)."""
    body = json.dumps(
        {"id": order_id, "name": f"#{order_id}", "email": "kari@example.com", "customer": {"first_name": "Kari"}}
    ).encode()
    return body, shopify_headers(secret, shop_domain, body, webhook_id=webhook_id)


def shopify_headers(secret: str, shop_domain: str, body: bytes, *, webhook_id: str) -> dict[str, str]:
    """The headers Shopify sends with an orders/create delivery of `body`."""
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Hmac-Sha256": _signature(secret, body),
    }


def woocommerce_order(secret: str, order_id: int) -> tuple[bytes, dict[str, str]]:
    """An order.created delivery as WooCommerce sends it."""
    body = json.dumps({"id": order_id, "number": str(order_id), "billing": {"first_name": "Kari"}}).encode()
    return body, {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Signature": _signature(secret, body),
    }
