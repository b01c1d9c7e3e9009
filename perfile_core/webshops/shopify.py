"""Shopify order and fulfillment webhooks (REST payload shapes, API 2025-07)."""

from __future__ import annotations

from typing import Any

from perfile_core.couriers.formats import common
from perfile_core.domain.errors import PayloadError
from perfile_core.webshops.intake import FulfillmentIntake, OrderIntake, TrackingInfo, tracking_info

ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/fulfilled"})
FULFILLMENT_TOPICS = frozenset({"fulfillments/create", "fulfillments/update"})
MAX_TOTAL_WEIGHT_GRAMS = 1_000_000_000  # a tonne a thousand times over: beyond it the number is garbage


def parse_order(payload: dict[str, Any]) -> OrderIntake:
    shipping = common.mapping(payload.get("shipping_address"), "shipping_address")
    billing = common.mapping(payload.get("billing_address"), "billing_address")
    customer = common.mapping(payload.get("customer"), "customer")
    address = shipping or billing
    prefix = "shipping_address." if shipping else "billing_address."
    external = common.external_id(common.require(payload, "id"), "id")
    name = common.text(payload.get("name"), "name", max_length=64) or external
    weight = _total_weight(payload.get("total_weight"))
    return OrderIntake(
        external_id=external,
        order_number=name,
        customer_name=_customer_name(address, prefix, customer) or name,
        created_at=_optional_time(payload, "created_at"),
        source_updated_at=_optional_time(payload, "updated_at"),
        customer_email=common.text(payload.get("email") or payload.get("contact_email"), "email", max_length=320)
        or common.text(customer.get("email"), "customer.email", max_length=320),
        customer_phone=common.text(address.get("phone"), f"{prefix}phone", max_length=50)
        or common.text(payload.get("phone"), "phone", max_length=50),
        address_line1=common.text(address.get("address1"), f"{prefix}address1", max_length=200),
        address_line2=common.text(address.get("address2"), f"{prefix}address2", max_length=200),
        postal_code=common.text(address.get("zip"), f"{prefix}zip", max_length=20),
        city=common.text(address.get("city"), f"{prefix}city", max_length=100),
        country_code=common.text(address.get("country_code"), f"{prefix}country_code", max_length=2),
        weight_grams=round(weight) if weight else None,  # Shopify total_weight is grams
        notes=common.text(payload.get("note"), "note", max_length=2000),
        tracking=latest_tracking(common.sequence(payload.get("fulfillments"), "fulfillments")),
    )


def parse_fulfillment(payload: dict[str, Any]) -> FulfillmentIntake:
    return FulfillmentIntake(
        order_external_id=common.external_id(common.require(payload, "order_id"), "order_id"),
        tracking=_fulfillment_tracking(payload, ""),
        source_updated_at=_optional_time(payload, "updated_at"),
    )


def latest_tracking(fulfillments: list[Any]) -> TrackingInfo | None:
    """The newest live fulfillment's tracking number (an order holds one shipment)."""
    found = None
    for index, item in enumerate(fulfillments):
        fulfillment = common.mapping(item, f"fulfillments.{index}")
        info = _fulfillment_tracking(fulfillment, f"fulfillments.{index}.")
        if info is not None:
            found = info
    return found


def _fulfillment_tracking(fulfillment: dict[str, Any], prefix: str) -> TrackingInfo | None:
    if fulfillment.get("status") in ("cancelled", "error", "failure"):
        return None
    numbers = common.sequence(fulfillment.get("tracking_numbers"), f"{prefix}tracking_numbers")
    number = numbers[0] if numbers else fulfillment.get("tracking_number")
    if number is None or number == "":
        return None
    urls = common.sequence(fulfillment.get("tracking_urls"), f"{prefix}tracking_urls")
    url = urls[0] if urls and isinstance(urls[0], str) else fulfillment.get("tracking_url")
    return tracking_info(
        common.tracking_number(number, f"{prefix}tracking_numbers.0" if numbers else f"{prefix}tracking_number"),
        common.text(fulfillment.get("tracking_company"), f"{prefix}tracking_company", max_length=100),
        url if isinstance(url, str) else None,
    )


def _customer_name(address: dict[str, Any], prefix: str, customer: dict[str, Any]) -> str | None:
    name = common.text(address.get("name"), f"{prefix}name", max_length=200)
    if name:
        return name
    for source, where in ((address, prefix), (customer, "customer.")):
        parts = [common.text(source.get(key), f"{where}{key}", max_length=100) for key in ("first_name", "last_name")]
        joined = " ".join(part for part in parts if part)
        if joined:
            return joined[:200]
    return None


def _total_weight(weight: Any) -> int | float | None:
    """Grams, or PayloadError for absurd values (NaN and Infinity fail the range check too,
    though json_body refuses them first)."""
    if weight is None:
        return None
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= MAX_TOTAL_WEIGHT_GRAMS:
        raise PayloadError(f"total_weight: must be a number of grams from 0 to {MAX_TOTAL_WEIGHT_GRAMS:,}")
    return weight


def _optional_time(payload: dict[str, Any], key: str):  # type: ignore[no-untyped-def]
    value = payload.get(key)
    return None if value is None else common.timestamp(value, key)
