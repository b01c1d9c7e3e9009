"""`python -m bench`: every benchmark in turn, each printing its figures and ratios."""

from __future__ import annotations

import importlib
import sys
import time

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
    failed = 0
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                print(f"== {name}: not present, skipped")
                continue
            raise
        print(f"== {name}")
        started = time.perf_counter()
        try:
            result = module.run() if hasattr(module, "run") else module.main()
        except Exception as exc:
            print(f"   FAILED: {exc!r}")
            failed += 1
            continue
        if isinstance(result, list):
            print("\n".join(result))
        if (isinstance(result, list) and result and result[-1] == "FAIL") or (isinstance(result, int) and result):
            failed += 1  # a missed target
        print(f"   ({time.perf_counter() - started:.0f} s)\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
