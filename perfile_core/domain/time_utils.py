"""Time helpers shared by rules (standard library only)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["UTC", "delivery_zone", "local_day", "next_local_day", "parse_date", "parse_datetime"]


def parse_datetime(value: str) -> datetime:
    """ISO 8601 with a timezone (a trailing Z is accepted); naive values are rejected."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no timezone")
    return parsed.astimezone(UTC)


def parse_date(value: str) -> date:
    return date.fromisoformat(value)


# A promised delivery day is a calendar day where the parcel is delivered: the recipient's
# local day, not UTC's (a delivery at 00:30 in Stockholm is 23:30 UTC of the day before).
DELIVERY_ZONES = {
    "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo",
    "DK": "Europe/Copenhagen",
    "FI": "Europe/Helsinki",
    "IS": "Atlantic/Reykjavik",
    "AX": "Europe/Mariehamn",
    "FO": "Atlantic/Faroe",
    "EE": "Europe/Tallinn",
    "DE": "Europe/Berlin",
}
DEFAULT_DELIVERY_ZONE = "Europe/Stockholm"


def delivery_zone(country_code: str | None) -> str:
    """The time zone whose calendar days count for a delivery to this country."""
    return DELIVERY_ZONES.get((country_code or "").upper(), DEFAULT_DELIVERY_ZONE)


def local_day(moment: datetime, country_code: str | None) -> date:
    """The calendar day of `moment` (aware) at the delivery address."""
    return moment.astimezone(ZoneInfo(delivery_zone(country_code))).date()  # ZoneInfo caches zones


def next_local_day(moment: datetime, country_code: str | None) -> datetime:
    """When the calendar day after `moment`'s begins at the delivery address (UTC): the first
    moment `local_day` gives a later day. Every delivery zone has a midnight (they change clocks
    at 01:00-03:00)."""
    zone = ZoneInfo(delivery_zone(country_code))
    tomorrow = moment.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=zone).astimezone(UTC)
