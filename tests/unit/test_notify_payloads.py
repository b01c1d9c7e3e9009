"""Change notifications: comma-separated order ids within PostgreSQL's payload limit, and a
sender thread that outlives a bug in one batch (against a real PostgreSQL listener)."""

from __future__ import annotations

import psycopg
import pytest

from perfile_core.db.direct import libpq_dsn
from perfile_core.db.notify import MAX_PAYLOAD_BYTES, PostgresChangeNotifier, payloads


def test_ids_are_sorted_unique_and_comma_separated() -> None:
    assert list(payloads([12, 3, 12, 7])) == ["3,7,12"]


def test_no_ids_no_payload() -> None:
    assert list(payloads([])) == []


def test_many_ids_split_over_payloads_within_the_limit_losing_none() -> None:
    ids = list(range(1_000_000, 1_003_000))
    parts = list(payloads(ids))
    assert len(parts) > 1
    assert all(len(part.encode()) <= MAX_PAYLOAD_BYTES for part in parts)
    assert [int(value) for part in parts for value in part.split(",")] == ids


def test_an_unexpected_failure_does_not_stop_later_notifications(pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A bug in one batch (ids that cannot be sorted: a TypeError, not a database error) is logged
    and dropped; the sender thread lives on and a real listener hears the next batch."""
    notifier = PostgresChangeNotifier(pg_url, interval=0.001)
    with psycopg.connect(libpq_dsn(pg_url), autocommit=True) as listener:
        listener.execute("LISTEN perfile_orders")
        notifier.orders_changed([1, "not an id"])  # type: ignore[list-item]
        assert notifier.flush(timeout=5.0)
        notifier.orders_changed([3, 2])
        assert notifier.flush(timeout=5.0)
        received = [note.payload for note in listener.notifies(timeout=2.0)]
    notifier.close()
    assert received == ["2,3"]
    (failure,) = [record for record in caplog.records if record.name == "perfile.notify"]
    assert failure.exc_info and failure.exc_info[0] is TypeError
