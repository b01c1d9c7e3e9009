"""The live orders table in a real browser: a courier event shows up without a reload.

Starts the real dashboard (streamlit) on a free loopback port against a seeded SQLite
database and drives Debian's headless Chromium with Playwright.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from perfile_core.clock import utcnow
from perfile_core.db.engine import make_engine
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import list_orders
from perfile_core.services.seed import seed_demo
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.ci import unavailable

pytestmark = [pytest.mark.browser, pytest.mark.live]
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dashboard(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if not Path(CHROMIUM).exists():
        unavailable("chromium is not installed (make test installs it)")
    engine = make_engine(sqlite_url)
    seed_demo(engine, orders_count=30, seed=9)
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "PERFILE_DATABASE_URL": sqlite_url, "PERFILE_DASHBOARD_REFRESH_SECONDS": "1"}
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"dashboard did not start: {(tmp_path / 'streamlit.log').read_text()[-2000:]}")
    try:
        yield url, sqlite_url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_exception_appears_live_with_a_toast(dashboard) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, db_url = dashboard
    engine = make_engine(db_url)
    order = next(o for o in list_orders(engine, OrderFilter(statuses=(Status.IN_TRANSIT,))).orders)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(url)
        expect(page.get_by_text("of 30 orders")).to_be_visible(timeout=30_000)
        time.sleep(1.5)  # let the first tick record the starting cursor
        now = utcnow()
        with engine.begin() as conn:
            record_event(
                conn,
                TrackingEvent(
                    courier=order.courier or "sandbox",
                    tracking_number=order.tracking_number or "",
                    event_id="browser-test-1",
                    occurred_at=now + timedelta(seconds=1),
                    status=Status.EXCEPTION,
                    exception_reason=ExceptionReason.DELAYED,
                    description="Delayed at the terminal",
                ),
                now,
            )
        # The toast names the order; nobody reloaded the page.
        expect(page.get_by_text(f"{order.order_number}").filter(has_text="Exception")).to_be_visible(timeout=15_000)
        browser.close()
    engine.dispose()
