"""Drive the demo: move sandbox shipments along by sending their due journey steps to our
receiver as signed Standard Webhooks deliveries (the path a real courier push takes).

Each scan is dated on the courier's own clock, the journey's real calendar from the booking
(picked up 2 h later, delivered a day or more after, couriers.sandbox.simulator.journey), and
sent `speed` times sooner (60: a courier hour passes in a real minute), so the demo moves in
real time while delivery times, on-time rates and ages look like real parcels'. The later scans
of a shipment booked minutes ago are therefore dated ahead of the wall clock."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import requests
from sqlalchemy import Engine, select

from perfile_core.clock import utcnow
from perfile_core.config import Settings
from perfile_core.couriers.formats.standard_webhooks import sign
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.couriers.sandbox.simulator import event_body, event_id, journey
from perfile_core.db.tables import booking_attempts, orders, tracking_events
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.status import TERMINAL


@dataclass
class SimulationReport:
    shipments: int = 0
    sent: int = 0
    failed: int = 0


def simulate_sandbox(
    db: Engine,
    couriers: CourierRegistry,
    settings: Settings,
    session: requests.Session,
    *,
    speed: float = 60.0,
    now: datetime | None = None,
    limit: int = 1000,
) -> SimulationReport:
    secrets = couriers.get("sandbox").webhook_secrets
    if not secrets:
        raise ValidationError(
            "webhook_secret",
            "the sandbox courier has no webhook secret: python -m perfile_core couriers configure sandbox "
            "--webhook-secret-stdin (whsec_...)",
        )
    now = now or utcnow()
    with db.connect() as conn:
        rows = conn.execute(
            select(
                orders.c.tracking_number,
                orders.c.postal_code,
                orders.c.estimated_delivery,
                booking_attempts.c.service,
                booking_attempts.c.created_at,
            )
            .join(
                booking_attempts,
                (booking_attempts.c.order_id == orders.c.id)
                & (booking_attempts.c.tracking_number == orders.c.tracking_number)
                & (booking_attempts.c.status == "confirmed"),
            )
            .where(
                orders.c.courier == "sandbox",
                orders.c.deleted_at.is_(None),
                orders.c.order_status.not_in([s.value for s in TERMINAL]),
            )
            .limit(limit)
        ).all()
        numbers = [row.tracking_number for row in rows]
        seen = (
            set(
                conn.execute(
                    select(tracking_events.c.event_id).where(
                        tracking_events.c.courier == "sandbox", tracking_events.c.tracking_number.in_(numbers)
                    )
                ).scalars()
            )
            if numbers
            else set()
        )
    report = SimulationReport(shipments=len(rows))
    url = settings.receiver_url.rstrip("/") + "/webhooks/couriers/sandbox"
    for row in rows:
        eta = row.estimated_delivery or row.created_at.date()
        for index, step in enumerate(journey(row.tracking_number, row.service, row.created_at, eta, row.postal_code)):
            occurred = row.created_at + step.after  # the courier's clock: real spacing
            sent = row.created_at + step.after / speed  # the demo's: `speed` times sooner
            webhook_id = event_id(row.tracking_number, index)
            if sent > now or webhook_id in seen:
                continue
            body = event_body(row.tracking_number, step, occurred, eta)
            stamp = int(time.time())
            headers = {
                "content-type": "application/json",
                "webhook-id": webhook_id,
                "webhook-timestamp": str(stamp),
                "webhook-signature": sign(secrets[0], webhook_id, stamp, body),
            }
            try:
                response = session.post(url, data=body, headers=headers, timeout=settings.courier_timeout_seconds)
                ok = response.status_code < 300
            except requests.RequestException:
                ok = False
            report.sent += ok
            report.failed += not ok
            if not ok:
                break  # keep the journey in order: retry this step on the next run
    return report
