"""A live tick of the Orders page with the details drawer open, and with the booking dialog open
at step 1, when nothing changed, on PostgreSQL with PERFILE_BENCH_ORDERS orders (1M by default).
Targets: every tick < 20 ms server time (median, p95, p99 and max over all ticks are printed);
the dashboard process's resident memory < 300 MB after the ticks (at least 100).

What is timed is what production runs: the real dashboard (`app.py`) under `streamlit run`,
ticking every 0.5 s (its shortest setting), driven by headless Chromium as an operator uses
it: the newest order selected (its action bar drawn) and "View details" clicked, so the
drawer is open. Each tick is the browser asking for a fragment rerun; the server runs the
page's `live_orders` fragment (poll_changes, list_orders, selection by id, action bar, frame,
st.dataframe) through Streamlit's own ScriptRunner. `bench.tick_server` logs the server time
of every `ScriptRunner._run_script` call, the one call every run goes through; a full run a
tick asked for (`st.rerun`) counts inside that tick. The drawer is not redrawn by a tick (it
is rendered outside the fragment); the bench checks it is still open afterwards and that no
full run happened while ticking. Not included: the websocket write of the tick's messages
(on Streamlit's event loop thread) and the browser's drawing. Printed beside the server
times: the CPU time of the thread that ran each tick (its own work; on a shared box the server
time also holds the waits for a core), how the slowest tick splits into the two, and the longest
garbage collection inside a tick.

The booking dialog is opened the same way on the newest order without tracking ("Book
shipment" in its action bar); it stays at step 1 (quotes) while the table ticks behind it.

Beside it, the simplest live table built the same way (`bench/simple_orders_page.py`: each
tick only list_orders without a total + a plain st.dataframe; no dialog, no selection, no
action bar, no Styler), timed alike.

PERFILE_BENCH_TICKS ticks (200) per page. With PERFILE_BENCH_LOG_DIR the run logs (a line per
run: server time, CPU time, wall clock, garbage collections; and with PERFILE_BENCH_PHASES=1 the
time per step of the page) are kept there. Reuses the query bench's database `perfile_bench`
(read only here). Chromium and both servers share the machine's cores with the timed run.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.bulk_load import ensure_orders
from bench.tick_server import RUN_LOG_ENV
from tests.browser.operator_stack import action_bar_text, click_row, grid_rows
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, serve_dashboard
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run
from ui.orders_frame import NO_TRACKING

ORDERS = int(os.environ.get("PERFILE_BENCH_ORDERS", "1000000"))
TICKS = int(os.environ.get("PERFILE_BENCH_TICKS", "200"))
TARGET_MS = 20.0
TARGET_RSS_MB = 300.0
REFRESH_SECONDS = 0.5  # the shortest the settings allow: more ticks per second of bench
OURS, SIMPLE = "app.py", "bench/simple_orders_page.py"
LOG_DIR_ENV = "PERFILE_BENCH_LOG_DIR"  # keep the servers' run logs (<page>-runs.jsonl) here


@dataclass(frozen=True)
class Ticks:
    ms: list[float]  # server time of every tick in the window, in order
    full_runs: int  # full script runs in the window: none expected when nothing changed
    rss_mb: float = 0.0  # the dashboard process's resident memory after the last tick
    cpu_ms: tuple[float, ...] = ()  # CPU time of the thread running each tick: its own work, without the waits
    gc_ms: float = 0.0  # the longest garbage collection inside a tick, in CPU time
    runq_ms: tuple[float, ...] = ()  # how long each tick's thread waited for a core (a busy box)

    def cpu_summary(self) -> str:
        slowest = max(range(len(self.ms)), key=self.ms.__getitem__)
        return (
            f"median {statistics.median(self.cpu_ms):.1f} ms, max {max(self.cpu_ms):.1f} (slowest tick "
            f"{self.ms[slowest]:.1f} ms: {self.cpu_ms[slowest]:.1f} on a CPU, {self.runq_ms[slowest]:.1f} "
            "waiting for a core)"
        )

    def summary(self) -> str:
        percentiles = statistics.quantiles(self.ms, n=100, method="inclusive")
        return (
            f"median {statistics.median(self.ms):.1f} ms, p95 {percentiles[94]:.1f}, "
            f"p99 {percentiles[98]:.1f}, max {max(self.ms):.1f} over {len(self.ms)} ticks"
        )


def _runs(log: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _time_ticks(
    database_url: str, script: str, ticks: int, log_dir: Path, prepare: Callable[[object], Callable[[], None]]
) -> Ticks:
    """Serve `script`, let `prepare` put the page in its state (it returns a check for after
    the window), then collect the server times of the next `ticks` ticks."""
    from playwright.sync_api import expect, sync_playwright

    name = Path(script).stem
    log = log_dir / f"{name}{prepare.__name__}-runs.jsonl"  # e.g. app_open_drawer_on_newest-runs.jsonl
    with (
        serve_dashboard(
            database_url,
            log_dir / f"{name}-streamlit.log",
            refresh_seconds=REFRESH_SECONDS,
            script=script,
            extra_env={RUN_LOG_ENV: str(log)},
            module="bench.tick_server",
        ) as dashboard,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(dashboard)
        # Ours says "1-50 of 1,234 orders", the simple table "Showing the newest 200 orders".
        expect(page.get_by_text(re.compile(r"\d of [≈\d, ]+ orders?|Showing the newest"))).to_be_visible(timeout=60_000)
        check = prepare(page)
        wait_for_app_run(page)
        start = len(_runs(log))
        deadline = time.monotonic() + ticks * REFRESH_SECONDS * 4 + 60
        while sum(run["fragment"] for run in _runs(log)[start:]) < ticks:
            if time.monotonic() > deadline:
                got = _runs(log)[start:]
                raise TimeoutError(f"{ticks} ticks did not come in time: {len(got)} runs logged, {got[-5:]} last")
            page.wait_for_timeout(250)
        window = _runs(log)[start:]
        check()
        browser.close()
    fragment = [run for run in window if run["fragment"]][:ticks]
    return Ticks(
        [run["ms"] for run in fragment],
        sum(not run["fragment"] for run in window),
        fragment[-1]["rss_mb"],
        tuple(run["cpu_ms"] for run in fragment),
        max((collection[3] for run in fragment for collection in run["gc"]), default=0.0),
        tuple(run["runq_ms"] for run in fragment),
    )


def _open_drawer_on_newest(page) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    """Select the first row, as an operator does, and open its details drawer."""
    from playwright.sync_api import expect

    deadline = time.monotonic() + 30
    while not grid_rows(page) and time.monotonic() < deadline:
        page.wait_for_timeout(200)  # the grid's accessible table is filled after the canvas
    number = grid_rows(page)[0][1][1]
    click_row(page, 0)
    bar = page.locator("[class*='st-key-action_bar_']")
    expect(bar).to_contain_text(number, timeout=30_000)
    page.get_by_role("button", name=re.compile("View details")).click()
    drawer = page.get_by_test_id("stDialog")
    expect(drawer).to_contain_text(number, timeout=30_000)

    def still_open() -> None:
        expect(drawer).to_be_visible()
        expect(drawer).to_contain_text(number)
        assert action_bar_text(page).startswith(f"{number} · "), action_bar_text(page)

    return still_open


def _open_booking_on_newest_untracked(page) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    """Select the newest order without tracking and open its booking dialog (step 1, quotes)."""
    from playwright.sync_api import expect

    deadline = time.monotonic() + 30
    while not grid_rows(page) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    index, number = next((i, cells[1]) for i, (_, cells) in enumerate(grid_rows(page)) if NO_TRACKING in cells)
    click_row(page, index)
    bar = page.locator("[class*='st-key-action_bar_']")
    expect(bar).to_contain_text(number, timeout=30_000)
    bar.get_by_role("button", name=re.compile("Book shipment")).click()
    dialog = page.get_by_test_id("stDialog")
    expect(dialog).to_contain_text("Step 1 of 4", timeout=30_000)

    def still_open() -> None:
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("Step 1 of 4")
        expect(dialog).to_contain_text(number)

    return still_open


def _nothing(page) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    return lambda: None


def measure(database_url: str, ticks: int, log_dir: Path) -> tuple[Ticks, Ticks, Ticks]:
    """(ours with the drawer open, ours with the booking dialog at step 1, the simple table)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is not installed (make bench installs it)")
    drawer = _time_ticks(database_url, OURS, ticks, log_dir, _open_drawer_on_newest)
    booking = _time_ticks(database_url, OURS, ticks, log_dir, _open_booking_on_newest_untracked)
    simple = _time_ticks(database_url, SIMPLE, ticks, log_dir, _nothing)
    return drawer, booking, simple


def report(orders: int, drawer: Ticks, booking: Ticks, simple: Ticks) -> list[str]:
    ours = (drawer, booking)
    ok = all(max(t.ms) < TARGET_MS and t.full_runs == 0 and t.rss_mb < TARGET_RSS_MB for t in ours)
    ratio = statistics.median(drawer.ms) / statistics.median(simple.ms)
    every = f"[target < {TARGET_MS:.0f} ms, every tick]"
    return [
        f"orders: {orders:,}; ticks every {REFRESH_SECONDS:g} s, nothing changing; server time per tick",
        f"Orders page, a row selected, details drawer open: {drawer.summary()} {every}; "
        f"full runs while ticking: {drawer.full_runs} [target 0]",
        f"Orders page, booking dialog open at step 1: {booking.summary()} {every}; "
        f"full runs while ticking: {booking.full_runs} [target 0]",
        f"dashboard process RSS after {len(drawer.ms)} ticks: {drawer.rss_mb:.0f} MB (drawer), "
        f"{booking.rss_mb:.0f} MB (booking) [target < {TARGET_RSS_MB:.0f} MB]",
        f"CPU time of the ticks' own thread (their work, without waiting for a core on a busy box): "
        f"drawer {drawer.cpu_summary()}; booking {booking.cpu_summary()}; longest garbage collection "
        f"in a tick: {max(drawer.gc_ms, booking.gc_ms):.1f} ms of CPU",
        f"simple live table (list_orders + plain st.dataframe only): {simple.summary()}; "
        f"full runs while ticking: {simple.full_runs}",
        f"ours (drawer) / simple (medians): {ratio:.2f}",
        "PASS" if ok else "FAIL",
    ]


def run() -> list[str]:
    url = ensure_orders(ORDERS)
    if keep := os.environ.get(LOG_DIR_ENV):  # the run logs (bench.tick_server), kept to look at
        Path(keep).mkdir(parents=True, exist_ok=True)
        return report(ORDERS, *measure(url, TICKS, Path(keep)))
    with tempfile.TemporaryDirectory(prefix="perfile-tick-") as log_dir:
        drawer, booking, simple = measure(url, TICKS, Path(log_dir))
    return report(ORDERS, drawer, booking, simple)


if __name__ == "__main__":
    import sys

    from bench import print_and_exit_code

    sys.exit(print_and_exit_code(run))
