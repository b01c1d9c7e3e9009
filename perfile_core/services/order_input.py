"""What an order must look like on the way in (manual form, CLI, webshop intake)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{5,20}$")
MAX_WEIGHT_GRAMS = 70_000  # heaviest parcel any of our couriers takes
MAX_SIDE_CM = 300
# What people call each field: the order forms' labels and the audit trail's wording.
FIELD_LABELS = {
    "customer_name": "Customer name",
    "customer_email": "E-mail",
    "customer_phone": "Phone",
    "address_line1": "Address",
    "address_line2": "Address line 2",
    "postal_code": "Postal code",
    "city": "City",
    "country_code": "Country",
    "weight_grams": "Weight (g)",
    "length_cm": "Length (cm)",
    "width_cm": "Width (cm)",
    "height_cm": "Height (cm)",
    "notes": "Notes",
}


class OrderFields(BaseModel):
    """Fields shared by new orders and edits; all optional here."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    customer_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    address_line1: Annotated[str, Field(max_length=200)] | None = None
    address_line2: Annotated[str, Field(max_length=200)] | None = None
    postal_code: Annotated[str, Field(max_length=20)] | None = None
    city: Annotated[str, Field(max_length=100)] | None = None
    country_code: str | None = None
    weight_grams: Annotated[int, Field(gt=0, le=MAX_WEIGHT_GRAMS)] | None = None
    length_cm: Annotated[int, Field(gt=0, le=MAX_SIDE_CM)] | None = None
    width_cm: Annotated[int, Field(gt=0, le=MAX_SIDE_CM)] | None = None
    height_cm: Annotated[int, Field(gt=0, le=MAX_SIDE_CM)] | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None

    @field_validator("customer_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not _EMAIL.match(value):
            raise ValueError("not a valid e-mail address")
        return value.lower()

    @field_validator("customer_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not _PHONE.match(value):
            raise ValueError("use digits, spaces and an optional leading +")
        return value

    @field_validator("country_code")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.fullmatch(r"[A-Za-z]{2}", value):
            raise ValueError("use a two-letter ISO country code such as SE")
        return value.upper()

    @field_validator("customer_name", "address_line1", "address_line2", "postal_code", "city", "notes")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class NewOrder(OrderFields):
    store_key: Annotated[str, Field(min_length=1)]
    customer_name: Annotated[str, Field(min_length=1, max_length=200)]
    order_number: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9#._/-]*$")] | None = None
    external_id: Annotated[str, Field(max_length=64)] | None = None
    source_updated_at: datetime | None = None
    created_at: datetime | None = None

    @field_validator("customer_name", mode="before")
    @classmethod
    def _named(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("enter the customer's name")
        return value

    @field_validator("order_number")
    @classmethod
    def _order_number(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("created_at", "source_updated_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a timezone")
        return value


class OrderEdit(OrderFields):
    """An edit names only the fields it changes."""
