"""`python -m bench` waits for a quiet machine before each benchmark (bench/quiet.py)."""

from __future__ import annotations

import pytest

from bench import quiet


class FakeMachine:
    """Autovacuum and idle CPU shares as successive checks see them; a clock the checks move."""

    def __init__(self, workers: list[int], idle: list[float]) -> None:
        self.workers, self.idle, self.now = workers, idle, 0.0

    def running(self) -> int:
        self.now += 0.1
        return self.workers.pop(0) if self.workers else 0

    def idle_share(self) -> float:
        self.now += 1.0
        return self.idle.pop(0)

    def clock(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quiet.time, "sleep", lambda seconds: None)


def _wait(machine: FakeMachine, max_seconds: float = 240) -> str:
    return quiet.wait_until_quiet(
        workers=machine.running, idle=machine.idle_share, max_seconds=max_seconds, clock=machine.clock
    )


def test_a_quiet_machine_is_timed_at_once_and_nothing_is_said() -> None:
    machine = FakeMachine(workers=[0], idle=[0.95])
    assert _wait(machine) == ""
    assert machine.idle == []


def test_it_waits_while_autovacuum_works_and_then_while_the_cpus_are_busy() -> None:
    machine = FakeMachine(workers=[2, 1, 0, 0, 0], idle=[0.3, 0.5, 0.9])
    said = _wait(machine)
    assert "2 checks found autovacuum at work, 2 found the CPUs busy" in said
    assert machine.idle == [] and machine.workers == []


def test_it_gives_up_after_the_longest_wait_and_says_so() -> None:
    machine = FakeMachine(workers=[0] * 100, idle=[0.1] * 100)
    said = _wait(machine, max_seconds=5)
    assert "machine not quiet after 5 s" in said and "10% idle" in said and "timing anyway" in said
    vacuuming = FakeMachine(workers=[3] * 100, idle=[])
    assert "(3 autovacuum workers at work): timing anyway" in _wait(vacuuming, max_seconds=5)


def test_the_real_checks_read_the_server_and_the_cpus(pg_url: str) -> None:
    assert quiet.autovacuum_workers() >= 0
    assert 0.0 <= quiet.idle_share(0.2) <= 1.0
