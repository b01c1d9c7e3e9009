"""Change notifications: comma-separated order ids within PostgreSQL's payload limit."""

from __future__ import annotations

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


class _Recording(PostgresChangeNotifier):
    """The sender thread with the database replaced: the first send fails unexpectedly."""

    def __init__(self) -> None:
        super().__init__("postgresql+psycopg://unused@127.0.0.1:1/unused", interval=0.001)
        self.sent: list[set[int]] = []

    def _send(self, order_ids: set[int]) -> None:
        if not self.sent:
            self.sent.append(set())
            raise RuntimeError("a bug in sending")
        self.sent.append(set(order_ids))


def test_an_unexpected_failure_does_not_stop_later_notifications() -> None:
    notifier = _Recording()
    notifier.orders_changed([1])
    assert notifier.flush(timeout=5.0)
    notifier.orders_changed([2, 3])
    assert notifier.flush(timeout=5.0)
    notifier.close()
    assert notifier.sent == [set(), {2, 3}]
