"""`streamlit run`, with the server time of every script run logged (benchmarks only).

    PERFILE_BENCH_RUN_LOG=runs.jsonl python -m bench.tick_server run app.py --server.port ...

Wraps Streamlit's `ScriptRunner._run_script`, the one call through which the server runs a
full script run and a fragment rerun (a `run_every` tick the browser asks for) alike, and
appends one JSON line per call: `{"fragment": bool, "ms": float, "rss_mb": float}` (the
process's resident memory after the run). A rerun requested during
the run (`st.rerun`) happens inside the same call, so its cost counts in the tick that asked
for it. The app's own code is untouched.
"""

from __future__ import annotations

import cProfile
import json
import os
import sys
import threading
import time

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.web import cli

RUN_LOG_ENV = "PERFILE_BENCH_RUN_LOG"
PROFILE_ENV = "PERFILE_BENCH_PROFILE"  # cProfile of the fragment runs, to <path>.<pid>, rewritten after each


def _rss_mb() -> float:
    """The server process's resident memory now (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _timed_runs(log_path: str) -> None:
    original = ScriptRunner._run_script
    lock = threading.Lock()
    profile_path = os.environ.get(PROFILE_ENV)
    profiler = cProfile.Profile() if profile_path else None

    def run_script(self: ScriptRunner, rerun_data) -> None:  # type: ignore[no-untyped-def]
        profiling = profiler is not None and bool(rerun_data.fragment_id_queue)
        started = time.perf_counter()
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
                "rss_mb": _rss_mb(),
            }
            with lock, open(log_path, "a") as log:
                log.write(json.dumps(line) + "\n")

    ScriptRunner._run_script = run_script  # type: ignore[method-assign]


if __name__ == "__main__":
    _timed_runs(os.environ[RUN_LOG_ENV])
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())
