"""How a store is named: its key (in URLs and the CLI) and its Shopify shop domain.

Both are compared without case or surrounding space: Shopify sends `X-Shopify-Shop-Domain`
in lower case while operators type what they see ('Up-Shop.myshopify.com '), and a key in
a WooCommerce URL may be typed in another case. Every write and every lookup goes through
`store_key` / `shop_domain`, so the stored form and the looked-up form always agree.
"""

from __future__ import annotations

import re

from perfile_core.domain.errors import ValidationError

MAX_STORE_KEY = 64
_STORE_KEY = re.compile(r"[a-z0-9_-]{1,64}")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"(?=.{{1,255}}$){_LABEL}(?:\.{_LABEL})+")
SHOPIFY_SUFFIX = ".myshopify.com"


def store_key(value: str) -> str:
    """A store key as stored and looked up: trimmed, lower case."""
    return value.strip().lower()


def shop_domain(value: str) -> str:
    """A shop domain as stored and looked up: trimmed, lower case."""
    return value.strip().lower()


def checked_store_key(value: str) -> str:
    """A new store's key, normalised; ValidationError when it cannot name a store in a URL."""
    key = store_key(value)
    if not _STORE_KEY.fullmatch(key):
        raise ValidationError("key", f"use 1-{MAX_STORE_KEY} letters a-z, digits, - or _ (case does not matter)")
    return key


def checked_shop_domain(value: str, platform: str) -> str:
    """A store's shop domain, normalised; a Shopify store needs its permanent *.myshopify.com
    domain, the one Shopify sends in X-Shopify-Shop-Domain."""
    domain = shop_domain(value)
    if not _HOSTNAME.fullmatch(domain):
        raise ValidationError(
            "shop_domain", "must be a domain name alone, e.g. nordic-coffee.myshopify.com (no https:// or path)"
        )
    if platform == "shopify" and not domain.endswith(SHOPIFY_SUFFIX):
        raise ValidationError(
            "shop_domain",
            f"must be the shop's {SHOPIFY_SUFFIX} domain (Shopify sends it with every webhook), not {domain!r}",
        )
    return domain
