"""Duplicate and refused deliveries are recorded for the Integrations page, at a bounded rate."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from perfile_core.db.tables import webhook_refusals
from perfile_core.services.webhook_refusals import RefusalRecorder


def _count(db: Engine) -> int:
    with db.connect() as conn:
        return conn.execute(select(func.count()).select_from(webhook_refusals)).scalar_one()


def test_a_flood_of_refusals_is_recorded_only_up_to_the_rate(db: Engine) -> None:
    recorder = RefusalRecorder(db, rate=0.0, burst=3)  # no refill: three rows at most
    kept = [
        recorder.record(source="courier:sandbox", result="rejected", status=401, code="invalid_signature",
                        detail="webhook-signature does not match", request_id=f"r{n}")
        for n in range(10)
    ]  # fmt: skip
    assert kept == [True] * 3 + [False] * 7
    assert (recorder.dropped, _count(db)) == (7, 3)


def test_refusals_from_the_receiver_keep_code_and_reason(client, configured: Engine) -> None:
    response = client.post("/webhooks/couriers/ups", data=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 404
    with configured.connect() as conn:
        row = conn.execute(select(webhook_refusals)).one()
    assert (row.source, row.result, row.status, row.code) == ("courier:ups", "rejected", 404, "unknown_courier")
    assert "ups" in row.detail and row.request_id == response.headers["X-Request-Id"]
