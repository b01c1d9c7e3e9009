"""Time helpers shared by rules (standard library only)."""

from __future__ import annotations

from datetime import UTC, date, datetime

__all__ = ["UTC", "parse_date", "parse_datetime"]


def parse_datetime(value: str) -> datetime:
    """ISO 8601 with a timezone (a trailing Z is accepted); naive values are rejected."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no timezone")
    return parsed.astimezone(UTC)


def parse_date(value: str) -> date:
    return date.fromisoformat(value)
