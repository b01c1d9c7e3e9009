"""Times on screen in the operators' zone (storage and the core stay in UTC)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from ui.context import perfile


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def display_zone() -> ZoneInfo:
    """The operators' zone; a table builder looks it up once, not once per cell."""
    return _zone(perfile().settings.display_timezone)


def local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    return value.astimezone(zone or display_zone())


def local_naive(value: datetime | None, zone: ZoneInfo | None = None) -> datetime | None:
    """For dataframe columns, which show naive datetimes as they are."""
    return local(value, zone).replace(tzinfo=None) if value is not None else None
