"""CI runs every test: any non-empty `CI` counts (tests/ci.py), `.ci/run` keeps a runner's value,
and a missing PostgreSQL then fails the run instead of skipping it silently."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci import running_in_ci

ROOT = Path(__file__).resolve().parents[2]
READS_CI = re.compile(r"""(\.get\(|getenv\(|\[)\s*["']CI["']""")
PROBE = "def test_needs_postgresql(pg_url):\n    assert pg_url\n"


@pytest.mark.parametrize("value", ["true", "1", "yes", "woodpecker", "false", "0"])
def test_any_non_empty_ci_value_counts_as_ci(value: str) -> None:
    assert running_in_ci({"CI": value})


@pytest.mark.parametrize("environ", [{}, {"CI": ""}, {"CI": "  "}])
def test_no_or_empty_ci_value_is_a_local_run(environ: dict[str, str]) -> None:
    assert not running_in_ci(environ)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_probe(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    """A test that needs PostgreSQL, run by a child pytest with the suite's conftest and a server
    that is not there."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["PERFILE_TEST_PG_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/postgres"
    if ci is not None:
        env["CI"] = ci
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", "pyproject.toml"]
    command += ["--rootdir", ".", "-p", "tests.conftest", str(probe)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_missing_postgresql_skips_locally(tmp_path: Path) -> None:
    result = _run_probe(tmp_path, ci=None)
    assert result.returncode == 0 and "1 skipped" in result.stdout, result.stdout[-2000:]


@pytest.mark.parametrize("value", ["1", "true"])
def test_missing_postgresql_fails_under_any_ci_value(tmp_path: Path, value: str) -> None:
    result = _run_probe(tmp_path, ci=value)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "PostgreSQL not reachable" in result.stdout and "CI must run every test" in result.stdout


def _run_ci_entry_point(tmp_path: Path, ci: str | None) -> str:
    """`.ci/run` as a runner starts it, with `make` on PATH replaced by a recorder of what it
    was given (the real `make test` is the whole suite)."""
    record = tmp_path / "make.txt"
    shim = tmp_path / "bin" / "make"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(f'#!/bin/sh\nprintf "%s|%s" "$CI" "$*" > {record}\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["PATH"] = f"{shim.parent}{os.pathsep}{env['PATH']}"
    if ci is not None:
        env["CI"] = ci
    subprocess.run([str(ROOT / ".ci" / "run")], env=env, check=True, timeout=30)
    return record.read_text()


@pytest.mark.parametrize(
    ("inherited", "seen"), [("1", "1"), ("woodpecker", "woodpecker"), (None, "true"), ("", "true")]
)
def test_ci_entry_point_keeps_a_runners_value_and_sets_one_otherwise(
    tmp_path: Path, inherited: str | None, seen: str
) -> None:
    ci, _, arguments = _run_ci_entry_point(tmp_path, inherited).partition("|")
    assert (ci, arguments) == (seen, "test")
    assert running_in_ci({"CI": ci})


def test_only_tests_ci_reads_the_ci_variable() -> None:
    """One rule: a second reader of `CI` (say `== "true"`) would skip silently under CI=1.
    This file only sets `CI` for the child processes above."""
    readers = [
        path.relative_to(ROOT).as_posix()
        for folder in ("tests", "scripts", "bench", "perfile_core", "receiver")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != Path(__file__).resolve() and READS_CI.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == ["tests/ci.py"]
