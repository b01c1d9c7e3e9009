"""Shared helpers for courier tests: samples, a real label PDF, sessions and shipments."""

from __future__ import annotations

import base64
import copy
import json
from datetime import date
from functools import cache
from typing import Any

from perfile_core.couriers.base import Address, Parcel, Shipment
from perfile_core.labels.pdf import LabelData, render_label
from tests.fixtures import CONTRACTS

SAMPLES = CONTRACTS / "couriers"

SENDER = Address("Nordic Coffee Co.", "Hamngatan 12", "11147", "Stockholm", "SE", email="ops@coffee.se")
RECIPIENT = Address(
    "Anna Svensson", "Storgatan 1", "41103", "Göteborg", "SE", email="anna@example.se", phone="+46701234567"
)


def sample(name: str) -> dict[str, Any]:
    data = json.loads((SAMPLES / f"{name}.json").read_text())
    data.pop("_source", None)
    return copy.deepcopy(data)


@cache
def pdf_label(number: str = "00373500454541020957") -> bytes:
    return render_label(
        LabelData("PostNord", "MyPack Collect", number, "PF-1", SENDER, RECIPIENT, 1200, date(2026, 3, 10))
    )


def pdf_label_b64(number: str = "00373500454541020957") -> str:
    return base64.b64encode(pdf_label(number)).decode()


def shipment(service: str = "19", reference: str = "order-1-booking-1", **overrides: Any) -> Shipment:
    values: dict[str, Any] = {
        "sender": SENDER,
        "recipient": RECIPIENT,
        "parcel": Parcel(1200, 30, 20, 10),
        "ship_date": date(2026, 3, 10),  # a Tuesday
        "service": service,
        "reference": reference,
        "order_number": "PF-1",
        **overrides,
    }
    return Shipment(**values)
