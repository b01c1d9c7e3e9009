"""WooCommerce order webhooks (REST API v3 order shape) and the unsigned ping."""

from __future__ import annotations

import re
from typing import Any

from perfile_core.couriers.formats import common
from perfile_core.domain.errors import PayloadError
from perfile_core.webshops.intake import OrderIntake, TrackingInfo, tracking_info

ORDER_TOPICS = frozenset({"order.created", "order.updated"})
TRACKING_META_KEY = "_wc_shipment_tracking_items"  # WooCommerce Shipment Tracking extension
_PING = re.compile(rb"^webhook_id=\d+$")


def is_ping(body: bytes) -> bool:
    """WC_Webhook::deliver_ping() posts `webhook_id=N`, unsigned, and wants exactly 200."""
    return bool(_PING.match(body.strip()))


def secret_variants(secret: str) -> list[bytes]:
    """WooCommerce signs with wp_specialchars_decode(secret, ENT_QUOTES)."""
    decoded = (
        secret.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
    )
    return [secret.encode()] if decoded == secret else [secret.encode(), decoded.encode()]


def parse_order(payload: dict[str, Any]) -> OrderIntake:
    shipping = common.mapping(payload.get("shipping"), "shipping")
    billing = common.mapping(payload.get("billing"), "billing")
    address, prefix = (shipping, "shipping.") if _has_address(shipping) else (billing, "billing.")
    external = common.external_id(common.require(payload, "id"), "id")
    number = payload.get("number")
    if number is not None and not isinstance(number, str | int):
        raise PayloadError("number: must be a string")
    order_number = str(number).strip()[:64] if number not in (None, "") else external
    modified = payload.get("date_modified_gmt")
    created = payload.get("date_created_gmt")
    return OrderIntake(
        external_id=external,
        order_number=order_number,
        customer_name=_name(address, prefix) or _name(billing, "billing.") or order_number,
        # *_gmt fields are UTC without an offset.
        source_updated_at=None
        if modified is None
        else common.timestamp(modified, "date_modified_gmt", naive_is_utc=True),
        created_at=None if created is None else common.timestamp(created, "date_created_gmt", naive_is_utc=True),
        customer_email=common.text(billing.get("email"), "billing.email", max_length=320),
        customer_phone=common.text(address.get("phone"), f"{prefix}phone", max_length=50)
        or common.text(billing.get("phone"), "billing.phone", max_length=50),
        address_line1=common.text(address.get("address_1"), f"{prefix}address_1", max_length=200),
        address_line2=common.text(address.get("address_2"), f"{prefix}address_2", max_length=200),
        postal_code=common.text(address.get("postcode"), f"{prefix}postcode", max_length=20),
        city=common.text(address.get("city"), f"{prefix}city", max_length=100),
        country_code=common.text(address.get("country"), f"{prefix}country", max_length=2),
        notes=common.text(payload.get("customer_note"), "customer_note", max_length=2000),
        tracking=latest_tracking(common.sequence(payload.get("meta_data"), "meta_data")),
    )


def latest_tracking(meta_data: list[Any]) -> TrackingInfo | None:
    """The last item of the Shipment Tracking meta entry, if the order has one."""
    for index, entry in enumerate(meta_data):
        meta = common.mapping(entry, f"meta_data.{index}")
        if meta.get("key") != TRACKING_META_KEY:
            continue
        items = common.sequence(meta.get("value"), f"meta_data.{index}.value")
        found = None
        for position, raw in enumerate(items):
            where = f"meta_data.{index}.value.{position}."
            item = common.mapping(raw, where.rstrip("."))
            number = item.get("tracking_number")
            if number in (None, ""):
                continue
            provider = common.text(item.get("tracking_provider"), f"{where}tracking_provider", max_length=100)
            custom = common.text(
                item.get("custom_tracking_provider"), f"{where}custom_tracking_provider", max_length=100
            )
            found = tracking_info(common.tracking_number(number, f"{where}tracking_number"), provider or custom)
        return found
    return None


def _has_address(address: dict[str, Any]) -> bool:
    return bool(address.get("address_1") or address.get("city"))


def _name(address: dict[str, Any], prefix: str) -> str | None:
    parts = [common.text(address.get(key), f"{prefix}{key}", max_length=100) for key in ("first_name", "last_name")]
    joined = " ".join(part for part in parts if part)
    if joined:
        return joined[:200]
    return common.text(address.get("company"), f"{prefix}company", max_length=200)
