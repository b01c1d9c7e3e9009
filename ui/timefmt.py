"""Times on screen in the operators' zone (storage and the core stay in UTC)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from ui.context import perfile


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(value: datetime) -> datetime:
    return value.astimezone(_zone(perfile().settings.display_timezone))


def local_naive(value: datetime | None) -> datetime | None:
    """For dataframe columns, which show naive datetimes as they are."""
    return local(value).replace(tzinfo=None) if value is not None else None
