"""Keep Python's full garbage collections out of the live tick.

Python's cyclic collector scans its oldest generation whole. In a dashboard process that is
every object of Streamlit, pandas, pyarrow, SQLAlchemy, the core and the pages (~170,000): one
such collection paused the process for 50-110 ms, about once a minute, inside whichever run
happened to allocate at the time, most often a quiet live tick whose own work is 3-4 ms of CPU
(bench/live_tick_bench.py logs each collection per run). Nearly all of those objects are
modules, classes and functions, loaded once and never freed.

So after a full run that loaded modules (the first run of the process, the first visit of a page
that imports more), the process is collected once and everything alive is frozen (`gc.freeze`:
the collector skips it from then on). Objects made later (sessions, pages read, frames) are
collected as before, in collections that now only scan them. What the freeze keeps is kept
for good: garbage in a reference cycle among the frozen objects is never freed, so it happens
only when modules were loaded, a handful of times per process.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_modules_frozen = 0  # len(sys.modules) at the last freeze


def freeze_loaded_modules() -> bool:
    """At the end of a full run: collect and freeze when modules were loaded since the last time.
    True when it froze (tests)."""
    global _modules_frozen
    if len(sys.modules) == _modules_frozen:
        return False
    with _lock:
        loaded = len(sys.modules)
        if loaded == _modules_frozen:
            return False
        gc.collect()  # first: garbage frozen now would never be freed
        gc.freeze()
        _modules_frozen = loaded
    return True
