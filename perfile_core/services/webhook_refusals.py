"""Deliveries that leave nothing in the inbox (duplicates, refusals) are recorded for the
Integrations page, with the answer's code and reason.

A refusal costs the sender nothing (a bad signature is found without the database), so each
process records at most RATE per second and drops the rest (they are still in the log):
a flood of bad requests cannot turn into a flood of writes.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import Engine, delete

from perfile_core.clock import utcnow
from perfile_core.db.tables import webhook_refusals
from perfile_core.domain.errors import StorageUnavailable
from perfile_core.services.webhooks import storage_guard

RATE = 5.0  # rows per second per process, with bursts of up to BURST
BURST = 20.0
KEEP_ROWS = 10_000


class RefusalRecorder:
    """Writes refusal rows through a token bucket."""

    def __init__(self, db: Engine, *, rate: float = RATE, burst: float = BURST) -> None:
        self._db = db
        self._rate = rate
        self._burst = burst
        self._tokens = burst
        self._stamp = time.monotonic()
        self._lock = threading.Lock()
        self.dropped = 0

    def _take(self) -> bool:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            if self._tokens < 1:
                self.dropped += 1
                return False
            self._tokens -= 1
            return True

    def record(
        self,
        *,
        source: str,
        result: str,
        status: int,
        code: str | None,
        detail: str | None,
        request_id: str,
        now: datetime | None = None,
    ) -> bool:
        """Store one refusal; False when the rate limit or the database said no (never raises)."""
        if not self._take():
            return False
        row = {
            "source": source[:60],
            "result": result,
            "status": status,
            "code": code and code[:60],
            "detail": detail and detail[:500],
            "request_id": request_id[:64],
            "received_at": now or utcnow(),
        }
        try:
            with storage_guard(), self._db.begin() as conn:
                row_id = conn.execute(webhook_refusals.insert().values(**row).returning(webhook_refusals.c.id)).scalar()
                if row_id and row_id % 100 == 0:  # the page shows recent ones; keep the table small
                    conn.execute(delete(webhook_refusals).where(webhook_refusals.c.id <= row_id - KEEP_ROWS))
        except StorageUnavailable:
            return False
        return True
