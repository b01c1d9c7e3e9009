"""Our unified courier event under a Standard Webhooks envelope (contract section 2).

Verification follows standardwebhooks.com: HMAC-SHA256 over "{id}.{timestamp}.{raw body}" with
the base64-decoded `whsec_` secret, `v1,<base64>` signatures (space-separated list), and a
timestamp within the tolerance. The tests check it against the `standardwebhooks` package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from perfile_core.couriers.formats import common
from perfile_core.domain.courier_mappings import normalize, parse_unified_status
from perfile_core.domain.errors import (
    MissingSignature,
    PayloadError,
    SignatureError,
    StaleTimestamp,
    ValidationError,
)
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.domain.tracking_event import TrackingEvent

EVENT_TYPE = "shipment.status_updated"
MAX_EVENT_ID = 150
# Checked before any arithmetic: int() also takes "1_000", " 12", "-5", Arabic-Indic digits
# and 4,300-digit numbers, and a huge one overflows the float clock comparison.
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class Envelope:
    webhook_id: str
    timestamp: int


SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 16  # the spec asks for 24-64 random bytes; shorter is a mistake, not a key


@lru_cache(maxsize=64)  # decoded once per secret, not per delivery
def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret."""
    key = _decoded(secret.removeprefix(SECRET_PREFIX))
    if key is None:
        raise SignatureError("the configured courier secret is not a valid whsec_ secret")
    return key


def checked_secret(secret: str) -> str:
    """A secret as it may be stored: `whsec_` + base64 of at least 16 bytes, trimmed;
    ValidationError otherwise (a bad one would fail every delivery with 401). Never echoes it."""
    value = secret.strip()
    if not value.startswith(SECRET_PREFIX):
        raise ValidationError(
            "webhook_secret", f"a Standard Webhooks secret starts with {SECRET_PREFIX} followed by base64"
        )
    key = _decoded(value.removeprefix(SECRET_PREFIX))
    if key is None:
        raise ValidationError("webhook_secret", f"the part after {SECRET_PREFIX} is not valid base64")
    if len(key) < MIN_SECRET_BYTES:
        raise ValidationError(
            "webhook_secret", f"decodes to {len(key)} bytes; a Standard Webhooks key has at least {MIN_SECRET_BYTES}"
        )
    return value


def _decoded(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64>`: what a sender puts in `webhook-signature` (the simulator and tests use it)."""
    message = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    headers: Mapping[str, str], body: bytes, secrets: Iterable[str], *, now: datetime, tolerance_seconds: int
) -> Envelope:
    webhook_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    signature = headers.get("webhook-signature")
    if not webhook_id or not stamp or not signature:
        raise MissingSignature("webhook-id, webhook-timestamp and webhook-signature headers are required")
    if not _UNIX_SECONDS.fullmatch(stamp):
        raise SignatureError("webhook-timestamp must be unix seconds: 1 to 12 ASCII digits")
    timestamp = int(stamp)
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise StaleTimestamp(f"webhook-timestamp is more than {tolerance_seconds} s away from our clock")
    given = [part.removeprefix("v1,").encode() for part in signature.split() if part.startswith("v1,")]
    for secret in secrets:
        expected = sign(secret, webhook_id, timestamp, body).removeprefix("v1,").encode()
        if any(hmac.compare_digest(expected, candidate) for candidate in given):
            if len(webhook_id) > MAX_EVENT_ID:
                raise PayloadError(f"webhook-id: longer than {MAX_EVENT_ID} characters")
            return Envelope(webhook_id, timestamp)
    raise SignatureError("webhook-signature does not match for any active secret")


def parse_event(courier: str, event_id: str, payload: dict[str, Any]) -> TrackingEvent | None:
    """The unified event as a TrackingEvent; None for an event type we do not use.

    The sender already normalized the status, so `raw_status` is kept for the timeline but
    not re-mapped (raw_code stays empty: an explicit status is never second-guessed).
    """
    kind = common.require(payload, "type")
    if not isinstance(kind, str):
        raise PayloadError("type: must be a string")
    if kind != EVENT_TYPE:
        return None
    data = common.mapping(common.require(payload, "data"), "data")
    sender = common.text(data.get("courier"), "data.courier", max_length=40)
    if sender is not None and sender != courier:
        raise PayloadError(f"data.courier: {sender!r} does not match the URL's courier {courier!r}")
    number = common.tracking_number(common.require(data, "tracking_number", "data."), "data.tracking_number")
    raw_status = common.text(data.get("raw_status"), "data.raw_status", max_length=200)
    status, reason = _status(courier, data, raw_status)
    location = common.mapping(data.get("location"), "data.location")
    place = ", ".join(
        part
        for part in (
            common.text(location.get("city"), "data.location.city", max_length=100),
            common.text(location.get("country_code"), "data.location.country_code", max_length=2),
        )
        if part
    )
    return TrackingEvent(
        courier=courier,
        tracking_number=number,
        event_id=event_id,
        occurred_at=common.timestamp(common.require(data, "occurred_at", "data."), "data.occurred_at"),
        status=status,
        exception_reason=reason,
        raw_status=raw_status,
        description=common.text(data.get("description"), "data.description", max_length=500),
        location=place or None,
        estimated_delivery=common.calendar_date(data.get("estimated_delivery"), "data.estimated_delivery"),
        # No raw_payload: the receiver keeps the delivery byte-exact in webhook_inbox
        # (dedupe key courier:event_id); a second copy per event only cost write time.
    )


def _status(courier: str, data: dict[str, Any], raw_status: str | None) -> tuple[Status | None, ExceptionReason | None]:
    value = data.get("status")
    if value is None or value == "informational":
        return None, None
    if not isinstance(value, str):
        raise PayloadError("data.status: must be a string")
    reason = data.get("exception_reason")
    if reason is not None and not isinstance(reason, str):
        raise PayloadError("data.exception_reason: must be a string")
    if reason is None and value == Status.EXCEPTION and raw_status:
        reason = normalize(courier, raw_status).reason  # e.g. DELIVERY_IMPOSSIBLE -> failed_attempt
    try:
        mapped = parse_unified_status(value, reason)
    except ValueError:
        field = "data.status" if value not in Status.__members__.values() else "data.exception_reason"
        raise PayloadError(f"{field}: unknown value") from None
    return mapped.status, mapped.reason
