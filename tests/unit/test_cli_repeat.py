"""`--every`: the Procfile's background jobs outlive a failed pass (under honcho, one process
that exits stops the whole stack)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfile_core.cli.repeat import run_passes
from perfile_core.config import PROJECT_ROOT
from perfile_core.domain.errors import PerfileError, StorageUnavailable


class _Stop(Exception):
    pass


def test_a_single_pass_returns_its_exit_code() -> None:
    assert run_passes(lambda: 3, None) == 3


def test_a_repeating_job_reports_a_failed_pass_and_runs_the_next(capsys: pytest.CaptureFixture[str]) -> None:
    outcomes: list[BaseException | None] = [StorageUnavailable("database unavailable"), RuntimeError("boom"), None]
    passes: list[int] = []
    sleeps: list[float] = []

    def one_pass() -> int:
        passes.append(len(passes))
        outcome = outcomes[len(passes) - 1]
        if outcome is not None:
            raise outcome
        return 0

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == len(outcomes):
            raise _Stop

    with pytest.raises(_Stop):
        run_passes(one_pass, 7, sleep=sleep)
    assert passes == [0, 1, 2]
    assert sleeps == [7, 7, 7]
    err = capsys.readouterr().err
    assert "pass failed, next in 7 s: database unavailable" in err
    assert "RuntimeError: boom" in err


def test_a_perfile_error_in_a_single_pass_still_reaches_the_cli() -> None:
    def one_pass() -> int:
        raise PerfileError("bad input")

    with pytest.raises(PerfileError):
        run_passes(one_pass, None)


def test_send_notifications_every_keeps_sending(sqlite_url: str, tmp_path: Path) -> None:
    """The outbox sender repeats by itself (the Procfile's `outbox` process), no shell loop."""
    out = tmp_path / "out.log"
    with out.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "perfile_core", "send-notifications", "--every", "0.2"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PERFILE_DATABASE_URL": sqlite_url},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while _passes(out) < 3 and time.monotonic() < deadline:
                assert process.poll() is None, out.read_text()
                time.sleep(0.1)
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert _passes(out) >= 3, out.read_text()


def _passes(log: Path) -> int:
    return sum(1 for line in log.read_text().splitlines() if line.startswith(("sent ", "no SMTP host")))
