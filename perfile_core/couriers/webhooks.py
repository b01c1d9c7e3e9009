"""Verify+parse for pushed courier events, delegating to the pure push formats
(`couriers/formats/`, owned with the receiver) so there is one implementation of each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from perfile_core.couriers.formats import bring_eventcast, signatures, standard_webhooks
from perfile_core.couriers.formats.json_body import parse_json_object
from perfile_core.couriers.push import PushFormat, push_format
from perfile_core.domain.errors import UnknownCourier, UnknownSource
from perfile_core.domain.tracking_event import TrackingEvent


def verify_and_parse(
    courier: str,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    *,
    now: datetime,
    tolerance_seconds: int,
) -> list[TrackingEvent]:
    fmt = push_format(courier)
    if fmt is None:
        raise UnknownCourier(f"unknown courier {courier!r}")
    if not secrets:
        raise UnknownSource(f"no webhook secret is configured for {courier}")
    lowered = {key.lower(): value for key, value in headers.items()}
    if fmt == PushFormat.BRING_EVENT_CAST:
        header = bring_eventcast.SECRET_HEADER
        signatures.verify_shared_secret(lowered.get(header.lower()), secrets, name=header)
        return [bring_eventcast.parse_event(parse_json_object(body))]
    envelope = standard_webhooks.verify(lowered, body, secrets, now=now, tolerance_seconds=tolerance_seconds)
    event = standard_webhooks.parse_event(courier, envelope.webhook_id, parse_json_object(body))
    return [event] if event is not None else []
