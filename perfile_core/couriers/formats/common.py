"""Small parsing helpers shared by the webhook formats (couriers and webshops)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from perfile_core.couriers.formats.json_body import REPLACEMENT
from perfile_core.domain.errors import PayloadError

MAX_TRACKING_NUMBER = 64
MAX_EXTERNAL_ID_DIGITS = 19  # 2**63 - 1; checked before int(), which would take 4,300 digits


def normalize_tracking_number(value: str) -> str:
    """One spelling for a tracking number wherever it comes from (webshop, courier, operator)."""
    return value.strip().replace(" ", "").upper()


def tracking_number(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise PayloadError(f"{field}: must be a string")
    number = normalize_tracking_number(value)
    if not number or len(number) > MAX_TRACKING_NUMBER or not number.isprintable():
        raise PayloadError(f"{field}: must be 1-{MAX_TRACKING_NUMBER} printable characters")
    return identifier(number, field)


def identifier(value: str, field: str) -> str:
    """An id we match or deduplicate on: free text gets U+FFFD for unstorable characters
    (json_body), but an id with one would match nothing or collide with another."""
    if REPLACEMENT in value:
        raise PayloadError(f"{field}: contains a character that cannot be stored (NUL, lone surrogate or U+FFFD)")
    return value


def require(data: dict[str, Any], key: str, prefix: str = "") -> Any:
    if key not in data or data[key] is None:
        raise PayloadError(f"{prefix}{key}: field required")
    return data[key]


def text(value: Any, field: str, *, max_length: int, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise PayloadError(f"{field}: field required")
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{field}: must be a string")
    value = value.strip()
    if required and not value:
        raise PayloadError(f"{field}: must not be empty")
    return value[:max_length] or None


def timestamp(value: Any, field: str, *, naive_is_utc: bool = False) -> datetime:
    """An ISO 8601 timestamp (also Java's +0000 offsets); naive ones only where the format says UTC."""
    if not isinstance(value, str):
        raise PayloadError(f"{field}: must be an ISO 8601 timestamp string")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"{field}: {value[:40]!r} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise PayloadError(f"{field}: needs a timezone offset")
        parsed = parsed.replace(tzinfo=UTC)
    if not 1970 < parsed.year < 2200:
        raise PayloadError(f"{field}: year {parsed.year} is out of range")
    return parsed.astimezone(UTC)


def calendar_date(value: Any, field: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{field}: must be a YYYY-MM-DD string")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise PayloadError(f"{field}: {value[:40]!r} is not a YYYY-MM-DD date") from None


def mapping(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{field}: must be an object")
    return value


def sequence(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{field}: must be an array")
    return value


def external_id(value: Any, field: str) -> str:
    """Webshop ids are 64-bit integers; JSON may carry them as numbers or digit strings."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PayloadError(f"{field}: must be an integer id")
    text_value = str(value).strip()
    digits = text_value.isascii() and text_value.isdigit() and len(text_value) <= MAX_EXTERNAL_ID_DIGITS
    if not digits or not 0 < int(text_value) < 2**63:
        raise PayloadError(f"{field}: must be a positive 64-bit integer id")
    return str(int(text_value))
