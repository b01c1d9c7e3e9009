"""Checking what people type: pydantic models, search text and order references, dates.

Every piece of user text that reaches a query passes `clean_user_text` first, so a NUL,
a lone surrogate or an invisible mark gives "no match" or a clear message, never a
database error.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, TypeVar

import pydantic

from perfile_core.domain.errors import ValidationError
from perfile_core.domain.time_utils import parse_datetime

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


def validate(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = [(".".join(str(part) for part in error["loc"]) or "input", _reason(error)) for error in exc.errors()]
        first, *rest = problems
        raise ValidationError(first[0], first[1], more=rest) from None


def _reason(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


# Longer than any column a search or reference is compared with (names are 200 chars).
MAX_USER_TEXT = 200
# PostgreSQL cannot hold NUL, and no encoding holds a lone surrogate: both become U+FFFD,
# which the receiver also stores in their place, so such text can still match what was stored.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Invisible marks that pasting carries along (bidi controls, zero-width space, BOM).
_INVISIBLE = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Filter dates are compared as days; the end of the last day must still be a datetime.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(9998, 12, 31)


def clean_user_text(value: str | None, *, field: str) -> str | None:
    """Search text or an order reference as typed, ready for a bound parameter; None if blank."""
    if value is None:
        return None
    cleaned = _INVISIBLE.sub("", _UNSTORABLE.sub("\ufffd", value)).strip()
    if len(cleaned) > MAX_USER_TEXT:
        raise ValidationError(field, f"is {len(cleaned):,} characters long; at most {MAX_USER_TEXT} can match")
    return cleaned or None


def check_date_range(value: date, *, field: str) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(field, f"{value.isoformat()} is out of range; use {EARLIEST_DATE} to {LATEST_DATE}")
    return value


def parse_user_date(value: str, *, field: str) -> date:
    """A YYYY-MM-DD date typed by a user, within the range every query can handle."""
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(field, f"{value!r} is not a date (YYYY-MM-DD)") from None
    return check_date_range(parsed, field=field)


def parse_user_datetime(value: str, *, field: str) -> datetime:
    """An ISO 8601 time with a timezone typed by a user, in UTC, within the supported days."""
    try:
        parsed = parse_datetime(value.strip())
    except ValueError as exc:
        raise ValidationError(field, str(exc) if "timezone" in str(exc) else f"{value!r} is not an ISO time") from None
    except OverflowError:  # the offset moved it past year 9999 or before year 1
        raise ValidationError(field, f"{value!r} is out of range") from None
    check_date_range(parsed.date(), field=field)
    return parsed
