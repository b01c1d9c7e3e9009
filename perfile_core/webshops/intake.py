"""What a webshop delivery tells us about an order, whatever the platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from perfile_core.domain.couriers import courier_code_from_name


@dataclass(frozen=True)
class TrackingInfo:
    number: str
    courier: str | None  # our code, None when we do not know the webshop's courier name
    courier_name: str | None  # the webshop's text, kept when the courier is unknown
    url: str | None = None


def tracking_info(number: str, courier_text: str | None, url: str | None = None) -> TrackingInfo:
    code = courier_code_from_name(courier_text)
    return TrackingInfo(number=number, courier=code, courier_name=None if code else courier_text, url=url)


@dataclass(frozen=True)
class OrderIntake:
    external_id: str
    order_number: str
    customer_name: str
    source_updated_at: datetime | None
    created_at: datetime | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    weight_grams: int | None = None
    notes: str | None = None
    tracking: TrackingInfo | None = None

    def order_fields(self) -> dict[str, Any]:
        """Fields for NewOrder/OrderEdit (the core's own validation runs on them)."""
        names = (
            "customer_name",
            "customer_email",
            "customer_phone",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country_code",
            "weight_grams",
            "notes",
        )
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


@dataclass(frozen=True)
class FulfillmentIntake:
    """A Shopify fulfillment delivered on its own (fulfillments/create, fulfillments/update)."""

    order_external_id: str
    tracking: TrackingInfo | None
    source_updated_at: datetime | None
