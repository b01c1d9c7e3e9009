"""Tracking poller passes, stored so the Integrations page shows a courier that could not be
reached (PostNord or DHL down) and not only a line in a log file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, delete, select

from perfile_core.db.tables import poller_runs

if TYPE_CHECKING:
    from perfile_core.services.poller import PollReport

MAX_ERRORS_KEPT = 50  # per run; the count says how many there were
KEEP_RUNS = 1000


@dataclass(frozen=True)
class PollerRun:
    started_at: datetime
    finished_at: datetime
    shipments: int
    events_new: int
    status_changes: int
    failures: int
    errors: list[dict[str, Any]]  # {"courier", "order", "message"}

    @property
    def failed_couriers(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for error in self.errors:
            counts[error["courier"]] = counts.get(error["courier"], 0) + 1
        return counts


def record_run(db: Engine, report: PollReport, *, started: datetime, finished: datetime) -> None:
    errors = [
        {"courier": courier, "order": order, "message": message[:300]}
        for courier, (order, message) in zip(report.failed_couriers, report.errors, strict=False)
    ][:MAX_ERRORS_KEPT]
    with db.begin() as conn:
        row_id = conn.execute(
            poller_runs.insert()
            .values(
                started_at=started,
                finished_at=finished,
                shipments=report.shipments,
                events_new=report.events_new,
                status_changes=report.status_changes,
                failures=len(report.errors),
                errors=errors,
            )
            .returning(poller_runs.c.id)
        ).scalar_one()
        if row_id % 100 == 0:  # keep the table small: the page shows the recent runs
            conn.execute(delete(poller_runs).where(poller_runs.c.id <= row_id - KEEP_RUNS))


def recent_runs(db: Engine, limit: int = 20) -> list[PollerRun]:
    with db.connect() as conn:
        rows = conn.execute(select(poller_runs).order_by(poller_runs.c.started_at.desc()).limit(limit)).all()
    return [
        PollerRun(
            started_at=row.started_at,
            finished_at=row.finished_at,
            shipments=row.shipments,
            events_new=row.events_new,
            status_changes=row.status_changes,
            failures=row.failures,
            errors=list(row.errors or []),
        )
        for row in rows
    ]
