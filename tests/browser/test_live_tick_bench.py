"""`make bench`'s live-tick benchmark at a small size, so it keeps working: the real dashboard
under the timed server, Chromium opening the drawer and the booking dialog, ticks logged and
summed up with the process's memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import live_sessions_bench, webhook_screen_bench
from bench.bulk_load import copy_orders
from bench.live_tick_bench import TARGET_MS, measure, report
from tests.browser.servers import require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.live]
ORDERS, TICKS = 300, 8


def test_the_live_tick_bench_times_ticks_with_the_drawer_open(pg_url: str, tmp_path: Path) -> None:
    require_chromium()
    copy_orders(pg_url, ORDERS, seed=1)
    drawer, booking, simple = measure(pg_url, TICKS, tmp_path)
    assert len(drawer.ms) == len(booking.ms) == len(simple.ms) == TICKS
    assert all(ms > 0 for ms in drawer.ms + booking.ms + simple.ms)
    # The open drawer and booking dialog are not redrawn by ticks.
    assert drawer.full_runs == booking.full_runs == simple.full_runs == 0
    assert 50 < drawer.rss_mb < 2000 and 50 < booking.rss_mb < 2000
    lines = report(ORDERS, drawer, booking, simple)
    assert lines[-1] in ("PASS", "FAIL")
    assert f"[target < {TARGET_MS:.0f} ms, every tick]" in lines[1] and "over 8 ticks" in lines[1]
    assert "booking dialog open at step 1" in lines[2] and "over 8 ticks" in lines[2]
    assert "RSS after 8 ticks" in lines[3]


def test_the_sessions_bench_ticks_many_sessions_against_the_shared_pages(pg_url: str) -> None:
    copy_orders(pg_url, ORDERS, seed=1)
    ms, per_core = live_sessions_bench.measure(pg_url, sessions=6, seconds=4)
    assert len(ms) >= 6 and all(value > 0 for value in ms) and per_core > 0
    lines = live_sessions_bench.report(ORDERS, 6, ms, per_core)
    assert "[target p95 < 50 ms]" in lines[1] and "sessions per core" in lines[2] and lines[-1] in ("PASS", "FAIL")


def test_the_webhook_to_screen_bench_times_events_until_chromium_shows_them(pg_url: str, tmp_path: Path) -> None:
    require_chromium()
    seconds = webhook_screen_bench.measure(pg_url, parcels=1, log_dir=tmp_path)
    assert len(seconds) == 2 and all(0 < value < 30 for value in seconds)
    lines = webhook_screen_bench.report(0, seconds)
    assert "[target: median < 1.5 s]" in lines[1] and lines[-1] in ("PASS", "FAIL")
