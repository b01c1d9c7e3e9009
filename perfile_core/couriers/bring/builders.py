"""Pure request builders for Bring: Shipping Guide v2 products, Booking, Tracking."""

from __future__ import annotations

from typing import Any

from perfile_core.couriers.base import Address, Shipment
from perfile_core.couriers.bring.settings import BringSettings

QUOTE_PATH = "/shippingguide/api/v2/products"
BOOKING_PATH = "/booking/api/booking"
TRACKING_PATH = "/tracking/api/v2/tracking.json"


def quote_request(shipment: Shipment, settings: BringSettings, services: list[str]) -> dict[str, Any]:
    day = shipment.ship_date
    package: dict[str, Any] = {"id": "1", "grossWeight": shipment.parcel.weight_grams}  # grams
    for key, value in (
        ("length", shipment.parcel.length_cm),
        ("width", shipment.parcel.width_cm),
        ("height", shipment.parcel.height_cm),
    ):
        if value:
            package[key] = value
    return {
        "consignments": [
            {
                "id": "1",
                "fromCountryCode": shipment.sender.country_code,
                "fromPostalCode": shipment.sender.postal_code,
                "toCountryCode": shipment.recipient.country_code,
                "toPostalCode": shipment.recipient.postal_code,
                "shippingDate": {"year": f"{day.year}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"},
                "packages": [package],
                "products": [
                    {"id": settings.product_ids[code], "customerNumber": settings.customer_number} for code in services
                ],
            }
        ],
        "withPrice": True,
        "withExpectedDelivery": True,
        "withGuiInformation": True,
        "language": "en",
    }


def _party(address: Address, reference: str | None = None) -> dict[str, Any]:
    party: dict[str, Any] = {
        "name": address.name,
        "addressLine": address.line1,
        "addressLine2": address.line2,
        "postalCode": address.postal_code,
        "city": address.city,
        "countryCode": address.country_code,
        "reference": reference,
        "contact": {"name": address.name, "email": address.email, "phoneNumber": address.phone},
    }
    return party


def booking_request(shipment: Shipment, settings: BringSettings) -> dict[str, Any]:
    """Our reference goes in as the consignment's correlationId (echoed in the answer)."""
    package: dict[str, Any] = {"correlationId": "PACKAGE-1", "weightInKg": shipment.parcel.weight_kg}
    dims = shipment.parcel
    if dims.length_cm and dims.width_cm and dims.height_cm:
        package["dimensions"] = {"lengthInCm": dims.length_cm, "widthInCm": dims.width_cm, "heightInCm": dims.height_cm}
    return {
        "testIndicator": settings.test_indicator,
        "schemaVersion": 1,
        "consignments": [
            {
                "correlationId": shipment.reference,
                "shippingDateTime": f"{shipment.ship_date.isoformat()}T12:00:00",
                "parties": {
                    "sender": _party(shipment.sender, shipment.order_number),
                    "recipient": _party(shipment.recipient),
                },
                "product": {"id": settings.product_ids[shipment.service], "customerNumber": settings.customer_number},
                "packages": [package],
            }
        ],
    }


def cancel_request(consignment_number: str, settings: BringSettings) -> dict[str, Any]:
    return {"consignmentNumber": consignment_number, "customerNumber": settings.customer_number}
