"""Change notifications: comma-separated order ids within PostgreSQL's payload limit."""

from __future__ import annotations

from perfile_core.db.notify import MAX_PAYLOAD_BYTES, payloads


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
