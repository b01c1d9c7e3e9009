"""`make bench` (python -m bench) exits non-zero when a benchmark misses a target, and names it."""

from __future__ import annotations

import sys
import types

import pytest

import bench.__main__ as runner


def _benchmark(monkeypatch: pytest.MonkeyPatch, name: str, lines: list[str]) -> str:
    """A benchmark module whose run() returns `lines`, importable under `name` for this test."""
    module = types.ModuleType(name)
    module.run = lambda: lines  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    return name


def test_a_missed_target_fails_the_run_and_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    met = _benchmark(monkeypatch, "bench_met_for_test", ["   rate 10/s", "   targets met", "PASS"])
    missed = _benchmark(
        monkeypatch, "bench_missed_for_test", ["   rate 5/s", "   targets NOT met: ratio 0.65 < 1.0", "FAIL"]
    )
    monkeypatch.setattr(runner, "BENCHMARKS", [met, missed])
    assert runner.main() == 1
    summary = capsys.readouterr().out.split("== targets missed:")[1]
    assert "bench_missed_for_test: targets NOT met: ratio 0.65 < 1.0" in summary
    assert "bench_met_for_test" not in summary


def test_every_target_met_exits_zero(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(
        runner, "BENCHMARKS", [_benchmark(monkeypatch, "bench_met_for_test", ["   targets met", "PASS"])]
    )
    assert runner.main() == 0
    assert "targets missed" not in capsys.readouterr().out
