"""Pure request builders for PostNord's Booking API (createEDILabelPDF, ediInstruction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from perfile_core.couriers.base import Address, Shipment
from perfile_core.couriers.postnord.settings import PostNordSettings

BOOKING_PATH = "/rest/shipment/v3/edi/labels/pdf"
TRACKING_PATH = "/rest/shipment/v7/trackandtrace/id/{id}/public"


def booking_params(settings: PostNordSettings) -> dict[str, str]:
    return {"apikey": settings.api_key, "paperSize": settings.paper_size}


def tracking_params(settings: PostNordSettings) -> dict[str, str]:
    return {"apikey": settings.api_key, "locale": settings.locale}


def _party(address: Address) -> dict[str, Any]:
    party: dict[str, Any] = {
        "nameIdentification": {"name": address.name},
        "address": {
            "streets": [line for line in (address.line1, address.line2) if line],
            "postalCode": address.postal_code,
            "city": address.city,
            "countryCode": address.country_code,
        },
    }
    contact = {key: value for key, value in (("emailAddress", address.email), ("smsNo", address.phone)) if value}
    if contact:
        party["contact"] = {"contactName": address.name, **contact}
    return party


def edi_instruction(shipment: Shipment, settings: PostNordSettings, now: datetime) -> dict[str, Any]:
    """One shipment, one parcel; our booking reference travels as messageId and a CU reference."""
    weight = {"value": shipment.parcel.weight_kg, "unit": "KGM"}
    item: dict[str, Any] = {"itemIdentification": {"itemId": "0"}, "grossWeight": weight}
    dims = shipment.parcel
    if dims.length_cm and dims.width_cm and dims.height_cm:
        item["dimensions"] = {
            "length": {"value": dims.length_cm, "unit": "CMT"},
            "width": {"value": dims.width_cm, "unit": "CMT"},
            "height": {"value": dims.height_cm, "unit": "CMT"},
        }
    return {
        "messageDate": now.strftime("%Y-%m-%dT%H:%M:%S"),
        "messageFunction": "Instruction",
        "messageId": shipment.reference,
        "application": {"applicationId": settings.application_id, "name": "Perfile", "version": "1.0"},
        "updateIndicator": "Original",
        "shipment": [
            {
                "shipmentIdentification": {"shipmentId": "0"},
                "dateAndTimes": {"loadingDate": shipment.ship_date.isoformat() + "T00:00:00"},
                "service": {"basicServiceCode": shipment.service, "additionalServiceCode": []},
                "numberOfPackages": {"value": 1},
                "totalGrossWeight": weight,
                "references": [
                    {"referenceNo": shipment.order_number, "referenceType": "CU"},
                    {"referenceNo": shipment.reference, "referenceType": "ACL"},
                ],
                "parties": {
                    "consignor": {
                        "issuerCode": settings.issuer_code,
                        "partyIdentification": {"partyId": settings.customer_number, "partyIdType": "160"},
                        "party": _party(shipment.sender),
                    },
                    "consignee": {"party": _party(shipment.recipient)},
                },
                "goodsItem": [{"packageTypeCode": "PC", "items": [item]}],
            }
        ],
    }
