"""receiver/logs.py: a delivery's line waits while others are in flight and is written with
theirs; nothing waits once none is in flight, and nothing waits too long or in too great a number."""

from __future__ import annotations

import json

import pytest

from receiver import logs


class _Stderr:
    def __init__(self) -> None:
        self.writes: list[str] = []


@pytest.fixture
def stderr(monkeypatch: pytest.MonkeyPatch) -> _Stderr:
    """Each write to stderr (one per batch of delivery lines)."""
    fake = _Stderr()
    monkeypatch.setattr(logs, "_write", fake.writes.append)
    monkeypatch.setattr(logs, "_lines", logs._DeliveryLines())
    logs.configure()
    return fake


def _ids(text: str) -> list[str]:
    return [json.loads(line)["request_id"] for line in text.splitlines()]


def test_one_delivery_at_a_time_is_written_at_once(stderr: _Stderr) -> None:
    for n in range(3):
        logs.delivery_started()
        logs.delivery({"request_id": f"r{n}"})
        assert [_ids(text) for text in stderr.writes] == [[f"r{k}"] for k in range(n + 1)]


def test_lines_wait_for_the_deliveries_in_flight_and_go_out_together_in_order(stderr: _Stderr) -> None:
    for _ in range(3):
        logs.delivery_started()
    logs.delivery({"request_id": "a"})
    logs.delivery({"request_id": "b"})
    assert stderr.writes == []
    logs.delivery({"request_id": "c"})
    assert [_ids(text) for text in stderr.writes] == [["a", "b", "c"]]


def test_an_abandoned_delivery_is_no_longer_waited_for(stderr: _Stderr) -> None:
    logs.delivery_started()
    logs.delivery_started()
    logs.delivery({"request_id": "a"})
    assert stderr.writes == []
    logs.delivery_abandoned()
    assert [_ids(text) for text in stderr.writes] == [["a"]]


def test_at_most_max_waiting_lines_wait(stderr: _Stderr) -> None:
    logs.delivery_started()  # never finishes
    for n in range(logs.MAX_WAITING):
        logs.delivery_started()
        logs.delivery({"request_id": f"r{n}"})
    assert [len(_ids(text)) for text in stderr.writes] == [logs.MAX_WAITING]


def test_no_line_waits_longer_than_max_wait(stderr: _Stderr, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(logs.time, "monotonic", lambda: clock[0])
    logs.delivery_started()  # never finishes
    logs.delivery_started()
    logs.delivery({"request_id": "old"})
    clock[0] += logs.MAX_WAIT_SECONDS / 2
    logs.delivery_started()
    logs.delivery({"request_id": "younger"})
    assert stderr.writes == []
    clock[0] += logs.MAX_WAIT_SECONDS
    logs.delivery_started()
    logs.delivery({"request_id": "due"})
    assert [_ids(text) for text in stderr.writes] == [["old", "younger", "due"]]


def test_an_error_line_comes_after_the_waiting_ones(stderr: _Stderr, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs.logger, "error", lambda *args, **kwargs: stderr.writes.append("error line"))
    logs.delivery_started()
    logs.delivery_started()
    logs.delivery({"request_id": "first"})
    logs.delivery({"request_id": "failed"}, exc_info=True)
    assert stderr.writes[0].count("\n") == 1 and '"first"' in stderr.writes[0]
    assert stderr.writes[1:] == ["error line"]
    logs.delivery_started()
    logs.delivery({"request_id": "next"})
    assert _ids(stderr.writes[2]) == ["next"]  # nothing is left in flight
