"""Times on screen in the operators' zone (storage and the core stay in UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta
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


def ago(moment: datetime, now: datetime) -> str:
    """A short age for a narrow table cell: "now", "12m ago", "3h ago" (up to 47h, as the
    48 h no-news rule counts), then "2d ago"."""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "now"  # also a moment a courier dated a little ahead of our clock
    if minutes < 60:
        return f"{minutes}m ago"
    if minutes < 48 * 60:
        return f"{minutes // 60}h ago"
    return f"{minutes // (24 * 60)}d ago"


def ago_changes_at(moment: datetime, now: datetime) -> datetime:
    """The first moment after `now` at which `ago(moment, ...)` says something else."""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 60:
        return moment + timedelta(minutes=max(minutes, 0) + 1)
    if minutes < 48 * 60:
        return moment + timedelta(hours=minutes // 60 + 1)
    return moment + timedelta(days=minutes // (24 * 60) + 1)
