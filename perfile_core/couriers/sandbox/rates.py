"""Sandbox prices and delivery times: pure functions of destination, weight and service.

Zones follow Swedish postal-code regions for domestic parcels (1 = Stockholm, 2-6 = the
south and middle, 7-9 = the north), then Nordic, EU and the rest of the world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from perfile_core.couriers.base import ServiceInfo, Shipment
from perfile_core.couriers.calendar import add_business_days

MAX_WEIGHT = {"home": 35_000, "service_point": 20_000, "locker": 15_000}
SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo("home", "Home delivery", "home", MAX_WEIGHT["home"]),
    ServiceInfo("service_point", "Service point", "service_point", MAX_WEIGHT["service_point"]),
    ServiceInfo("locker", "Parcel locker", "locker", MAX_WEIGHT["locker"]),
)
NORDIC = frozenset({"SE", "NO", "DK", "FI", "IS"})
EU = frozenset("AT BE BG HR CY CZ EE FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES".split())  # noqa: SIM905
LOCKER_MAX_SIDE_CM = 60
BASE_PRICE = {"home": Decimal("79"), "service_point": Decimal("55"), "locker": Decimal("49")}
ZONE_SURCHARGE = {
    "A": Decimal("0"),
    "B": Decimal("10"),
    "C": Decimal("25"),
    "N": Decimal("90"),
    "E": Decimal("160"),
    "W": Decimal("320"),
}
ZONE_DAYS = {"A": 1, "B": 2, "C": 3, "N": 3, "E": 5, "W": 8}
EXTRA_DAYS = {"home": 0, "service_point": 0, "locker": 1}
PER_KG_OVER_1 = Decimal("6.50")


@dataclass(frozen=True)
class Rate:
    service: ServiceInfo
    price: Decimal
    transit_days: int
    estimated_delivery: date


def zone(sender_country: str, country: str, postal_code: str) -> str:
    if country == sender_country == "SE":
        first = postal_code.strip()[:1]
        if first == "1":
            return "A"
        if first in "23456" and first:
            return "B"
        return "C"
    if country in NORDIC:
        return "N"
    if country in EU:
        return "E"
    return "W"


def rates(shipment: Shipment, sender_country: str) -> list[Rate]:
    """Every service that can carry this parcel to this destination, cheapest first."""
    recipient = shipment.recipient
    z = zone(sender_country, recipient.country_code, recipient.postal_code)
    weight = shipment.parcel.weight_grams
    kg_over = max(0, -(-weight // 1000) - 1)  # whole kilograms above the first, rounded up
    found = []
    for service in SERVICES:
        if weight > MAX_WEIGHT[service.code]:
            continue
        if service.code == "locker" and (z in ("E", "W") or _too_big_for_locker(shipment)):
            continue
        price = BASE_PRICE[service.code] + ZONE_SURCHARGE[z] + PER_KG_OVER_1 * kg_over
        days = ZONE_DAYS[z] + EXTRA_DAYS[service.code]
        found.append(Rate(service, price.quantize(Decimal("0.01")), days, add_business_days(shipment.ship_date, days)))
    return sorted(found, key=lambda rate: rate.price)


def _too_big_for_locker(shipment: Shipment) -> bool:
    sides = (shipment.parcel.length_cm, shipment.parcel.width_cm, shipment.parcel.height_cm)
    return any(side is not None and side > LOCKER_MAX_SIDE_CM for side in sides)
