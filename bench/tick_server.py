"""`streamlit run`, with the server time of every script run logged (benchmarks only).

    PERFILE_BENCH_RUN_LOG=runs.jsonl python -m bench.tick_server run app.py --server.port ...

Wraps Streamlit's `ScriptRunner._run_script`, the one call through which the server runs a
full script run and a fragment rerun (a `run_every` tick the browser asks for) alike, and
appends one JSON line per call:

    {"fragment": bool, "ms": float, "cpu_ms": float, "runq_ms": float, "rss_mb": float, "t": float,
     "gc": [[generation, ms, freed, cpu_ms], ...], "frozen": int, "phases": {name: ms, ...}}

`cpu_ms` is the CPU time of the thread that ran it (the run's own work: not the time it waited
for a core, or for the GIL, on a busy machine), `runq_ms` how long that thread waited for a core
(Linux schedstat: a busy box, not the run), `rss_mb` the process's resident memory after the
run, `t` the wall clock (Unix seconds) the run started at, so slow runs can be set against
minute boundaries; `gc` lists every garbage collection (generation, pause, objects freed, CPU
time of the pause) that happened in the process during the run (Python's `gc.callbacks`), `frozen` how many objects the
collector skips (`gc.freeze`). A rerun requested during the run (`st.rerun`) happens inside the
same call, so its cost counts in the tick that asked for it.

With PERFILE_BENCH_PHASES=1 the run's time is also split by the dashboard's own steps (`PHASES`,
wrapped before the app imports them; a step's time includes the steps it calls), and "phases"
holds the milliseconds spent in each one that ran. Off by default, so the timed figures are
those of the untouched app.
"""

from __future__ import annotations

import cProfile
import gc
import importlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.web import cli

RUN_LOG_ENV = "PERFILE_BENCH_RUN_LOG"
PROFILE_ENV = "PERFILE_BENCH_PROFILE"  # cProfile of the fragment runs, to <path>.<pid>, rewritten after each
PHASES_ENV = "PERFILE_BENCH_PHASES"  # "1": log the time spent in each of PHASES per run

# "module:function" the dashboard calls by module attribute (imported by name after this wraps
# them); the phase is named by the function.
PHASES = (
    "ui.live:live_tick",
    "ui.live:poll_changes",
    "ui.seen:seen_for",
    "ui.orders_table:orders_table",
    "ui.orders_frame:orders_frame",
    "ui.live:as_arrow",
    "ui.order_selection:selected_orders",
    "ui.selection_bar:rerun_for_selection",
    "ui.paging:render_pager",
    "ui.all_dialogs:rerun_for_dialog",
    "streamlit:dataframe",
    "streamlit:caption",
)

# [generation, ms, objects freed, CPU ms] of the collections since the run started
_collections: list[list[Any]] = []
_gc_started = [0.0, 0.0]  # perf_counter, thread_time at the start of the collection under way


def _on_gc(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _gc_started[:] = [time.perf_counter(), time.thread_time()]
    else:
        pause = round((time.perf_counter() - _gc_started[0]) * 1000, 3)
        cpu = round((time.thread_time() - _gc_started[1]) * 1000, 3)
        _collections.append([info["generation"], pause, info["collected"], cpu])


def _runqueue_ms() -> float:
    """How long the calling thread has waited for a core so far (Linux schedstat), 0 without it."""
    try:
        with open("/proc/thread-self/schedstat") as schedstat:
            return int(schedstat.read().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def _rss_mb() -> float:
    """The server process's resident memory now (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


_phase_ms: dict[str, float] = {}


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _phase_ms[name] = _phase_ms.get(name, 0.0) + (time.perf_counter() - started) * 1000

    timed.__wrapped__ = function  # type: ignore[attr-defined]
    return timed


def _wrap_phases() -> None:
    # The app's modules read their settings from the environment only when called, so importing
    # them here (before Streamlit imports the pages) changes nothing but which function they name.
    sys.path.insert(0, os.getcwd())
    wrapped: dict[int, Callable[..., Any]] = {}  # id(original) -> its timed wrapper
    for spec in PHASES:
        module_name, name = spec.split(":")
        module = importlib.import_module(module_name)
        original = getattr(module, name)
        wrapped[id(original)] = _timed(name, original)
        setattr(module, name, wrapped[id(original)])
    # A module imported above may have imported a function by name before it was wrapped.
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("ui.") and module is not None:
            for attribute, value in list(vars(module).items()):
                if id(value) in wrapped and callable(value):
                    setattr(module, attribute, wrapped[id(value)])


def _timed_runs(log_path: str) -> None:
    original = ScriptRunner._run_script
    lock = threading.Lock()
    profile_path = os.environ.get(PROFILE_ENV)
    profiler = cProfile.Profile() if profile_path else None
    gc.callbacks.append(_on_gc)

    def run_script(self: ScriptRunner, rerun_data) -> None:  # type: ignore[no-untyped-def]
        profiling = profiler is not None and bool(rerun_data.fragment_id_queue)
        _collections.clear()  # collections between runs (other threads) are not this run's
        _phase_ms.clear()
        at = time.time()
        started, cpu_started, waited = time.perf_counter(), time.thread_time(), _runqueue_ms()
        try:
            if profiling:
                profiler.runcall(original, self, rerun_data)
            else:
                original(self, rerun_data)
        finally:
            if profiling:
                profiler.dump_stats(f"{profile_path}.{os.getpid()}")
            line = {
                "fragment": bool(rerun_data.fragment_id_queue),
                "ms": (time.perf_counter() - started) * 1000,
                "cpu_ms": (time.thread_time() - cpu_started) * 1000,
                "runq_ms": _runqueue_ms() - waited,
                "rss_mb": _rss_mb(),
                "t": at,
                "gc": list(_collections),
                "frozen": gc.get_freeze_count(),
            }
            if _phase_ms:
                line["phases"] = {name: round(ms, 3) for name, ms in _phase_ms.items()}
            with lock, open(log_path, "a") as log:
                log.write(json.dumps(line) + "\n")

    ScriptRunner._run_script = run_script  # type: ignore[method-assign]


if __name__ == "__main__":
    _timed_runs(os.environ[RUN_LOG_ENV])
    if os.environ.get(PHASES_ENV) == "1":
        _wrap_phases()
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())
