"""`--every N` for the CLI's background jobs (poller, outbox sender, sandbox simulator).

Under a process runner (the Procfile, run by honcho) one process that exits stops the whole
stack, so a repeating job must outlive a failed pass: a database that is briefly unavailable
or a courier that times out is reported on stderr and the job tries again at its next pass.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable

from perfile_core.domain.errors import PerfileError


def run_passes(one_pass: Callable[[], int], every: float | None, *, sleep: Callable[[float], None] = time.sleep) -> int:
    """Run `one_pass` once (its exit code is the command's), or forever `every` seconds apart."""
    if not every:
        return one_pass()
    while True:
        try:
            one_pass()
        except PerfileError as exc:
            print(f"pass failed, next in {every:g} s: {exc.detail}", file=sys.stderr, flush=True)
        except Exception:  # a daemon loop reports it and goes on: the next pass may work
            print(f"pass failed, next in {every:g} s:", file=sys.stderr, flush=True)
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
        sleep(every)
