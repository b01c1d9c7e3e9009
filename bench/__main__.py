"""`python -m bench`: every benchmark in turn, each printing its figures and ratios.

Before each one it waits for a quiet machine (bench/quiet.py). Exits non-zero when any
benchmark missed a target (its last line is FAIL, or its main() returned non-zero) or failed
to run, and ends with which ones and what they missed."""

from __future__ import annotations

import importlib
import sys
import time

from bench.quiet import wait_until_quiet

BENCHMARKS = [
    "bench.query_bench",
    "bench.orders_page_bench",
    "bench.receiver_bench",
    "bench.booking_bench",
    "bench.booking_dialog_bench",
    "bench.live_tick_bench",
    "bench.analytics_bench",
    "bench.live_sessions_bench",
    "bench.webhook_screen_bench",
]


def main() -> int:
    missed: list[str] = []
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                print(f"== {name}: not present, skipped")
                continue
            raise
        print(f"== {name}")
        if waited := wait_until_quiet():
            print(waited)
        started = time.perf_counter()
        try:
            result = module.run() if hasattr(module, "run") else module.main()
        except Exception as exc:
            print(f"   FAILED: {exc!r}")
            missed.append(f"{name}: did not run ({exc!r})")
            continue
        if isinstance(result, list):
            print("\n".join(result))
        if (isinstance(result, list) and result and result[-1] == "FAIL") or (isinstance(result, int) and result):
            missed.append(f"{name}: {_what_missed(result)}")
        print(f"   ({time.perf_counter() - started:.0f} s)\n")
    if missed:
        print("== targets missed:\n" + "\n".join(f"   {line}" for line in missed))
    return 1 if missed else 0


def _what_missed(result: list[str] | int) -> str:
    """The benchmark's own words for its miss (a line saying `NOT met` or `target missed`)."""
    if isinstance(result, list):
        said = [line.strip() for line in result if "not met" in line.lower() or "missed" in line.lower()]
        if said:
            return " | ".join(said)
    return "see its figures above"


if __name__ == "__main__":
    sys.exit(main())
