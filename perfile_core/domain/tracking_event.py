"""One courier tracking event, normalized: what every courier parser produces and every
writer stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from perfile_core.domain.status import ExceptionReason, Status


@dataclass(frozen=True)
class TrackingEvent:
    """One courier event, already normalized; `status` None means informational."""

    courier: str
    tracking_number: str
    event_id: str
    occurred_at: datetime
    status: Status | None
    exception_reason: ExceptionReason | None = None
    raw_code: str | None = None
    raw_status: str | None = None
    description: str | None = None
    location: str | None = None
    estimated_delivery: date | None = None
    metadata: dict[str, Any] = field(default_factory=dict)  # merged into courier_metadata
    raw_payload: dict[str, Any] | None = None
