"""Ending a test database's sessions from the server side, as a restart or a failover does."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import psycopg
import pytest


def other_sessions(dsn: str) -> list[int]:
    """Backend pids of the database's sessions, except the one asking."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def end_sessions(dsn: str) -> list[int]:
    """pg_terminate_backend on every other session of the database; returns once their
    processes have exited (so their clients' sockets are closed), with the pids ended."""
    ended = other_sessions(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [ended])
    until(lambda: not set(ended) & set(other_sessions(dsn)), "the sessions are gone")
    until(lambda: all(_exited(pid) for pid in ended), "their processes have exited")
    return ended


def until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.02)


def _exited(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists (the server's user owns it)
        return False
    return False
