"""PostNord has no price API: prices come from a rate table in the courier account settings.

    {"rates": [{"service": "17", "countries": ["SE"], "max_weight_grams": 20000,
                "price": "89.00", "per_kg_over_1": "4.00", "currency": "SEK", "transit_days": 2}]}

A row matches when the destination country is listed (or `countries` is absent) and the
weight is within `max_weight_grams`; the cheapest matching row per service wins.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from perfile_core.couriers.base import Quote, ServiceInfo, Shipment
from perfile_core.couriers.calendar import add_business_days
from perfile_core.domain.errors import ValidationError


def quotes(shipment: Shipment, rates: list[dict[str, Any]], services: tuple[ServiceInfo, ...]) -> list[Quote]:
    by_code = {service.code: service for service in services}
    best: dict[str, Quote] = {}
    kg_over = max(0, -(-shipment.parcel.weight_grams // 1000) - 1)
    for index, row in enumerate(rates):
        service = by_code.get(str(row.get("service")))
        if service is None or not _matches(row, shipment):
            continue
        price = _decimal(row, "price", index) + _decimal(row, "per_kg_over_1", index, "0") * kg_over
        days = int(row.get("transit_days", 2))
        quote = Quote(
            courier="postnord",
            service=service.code,
            service_name=service.name,
            delivery_type=service.delivery_type,
            price=price.quantize(Decimal("0.01")),
            currency=str(row.get("currency", "SEK")),
            estimated_delivery=add_business_days(shipment.ship_date, days),
            transit_days=days,
        )
        if service.code not in best or quote.price < best[service.code].price:
            best[service.code] = quote
    return sorted(best.values(), key=lambda q: q.price)


def _matches(row: dict[str, Any], shipment: Shipment) -> bool:
    countries = row.get("countries")
    if countries and shipment.recipient.country_code not in countries:
        return False
    return shipment.parcel.weight_grams <= int(row.get("max_weight_grams", 20_000))


def _decimal(row: dict[str, Any], key: str, index: int, default: str | None = None) -> Decimal:
    value = row.get(key, default)
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise ValidationError(f"rates[{index}].{key}", "must be a number in the PostNord rate table") from None
