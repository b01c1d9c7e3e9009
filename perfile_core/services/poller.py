"""The tracking poller: refresh active shipments of couriers that do not push (PostNord, DHL)
through `record_event`, the same path webhooks take (idempotent by event id, forward-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from perfile_core.clock import utcnow
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.db.tables import orders
from perfile_core.domain.errors import PerfileError
from perfile_core.domain.status import TERMINAL, Status
from perfile_core.services.poller_runs import record_run
from perfile_core.services.tracking import EventResult, apply_stranded_events, record_event


@dataclass
class PollReport:
    shipments: int = 0
    events_seen: int = 0
    events_new: int = 0
    status_changes: int = 0
    stranded_applied: int = 0  # unmatched events applied because their order now exists
    errors: list[tuple[str, str]] = field(default_factory=list)  # (order number, message)
    failed_couriers: list[str] = field(default_factory=list)  # the courier of each error, in order


def polled_couriers(couriers: CourierRegistry) -> list[str]:
    return [a.code for a in couriers.adapters() if not a.pushes_tracking and a.supports("track")]


def poll_tracking(
    db: Engine, couriers: CourierRegistry, *, limit: int = 500, now: datetime | None = None
) -> PollReport:
    """One pass over active shipments, least recently updated first; one transaction per shipment.
    The pass is recorded in poller_runs (services/poller_runs.py), failures included."""
    started = utcnow()
    report = PollReport()
    try:
        _poll(db, couriers, report, limit=limit, now=now)
    finally:
        record_run(db, report, started=started, finished=utcnow())
    return report


def _poll(db: Engine, couriers: CourierRegistry, report: PollReport, *, limit: int, now: datetime | None) -> None:
    codes = polled_couriers(couriers)
    report.stranded_applied = apply_stranded_events(db, now=now)
    if not codes:
        return
    finished = [status.value for status in TERMINAL] + [Status.PENDING.value]
    with db.connect() as conn:
        rows = conn.execute(
            select(orders.c.id, orders.c.order_number, orders.c.courier, orders.c.tracking_number)
            .where(
                orders.c.courier.in_(codes),
                orders.c.tracking_number.is_not(None),
                orders.c.deleted_at.is_(None),
                orders.c.order_status.not_in(finished),
            )
            .order_by(orders.c.updated_at)
            .limit(limit)
        ).all()
    for row in rows:
        report.shipments += 1
        try:
            events = couriers.get(row.courier).track(row.tracking_number)
        except PerfileError as exc:
            report.errors.append((row.order_number, exc.detail))
            report.failed_couriers.append(row.courier)
            continue
        report.events_seen += len(events)
        stamp = now or utcnow()
        with db.begin() as conn:
            for event in sorted(events, key=lambda e: e.occurred_at):
                outcome = record_event(conn, event, stamp)
                if outcome.result in (EventResult.APPLIED, EventResult.UNMATCHED):
                    report.events_new += 1
                if outcome.status_changed:
                    report.status_changes += 1
