"""CPU time of processes on this machine, from Linux /proc: what the benches read beside their
timings (which side of a server, or which PostgreSQL backend, spent the cores)."""

from __future__ import annotations

import os


def process_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first); None once it exited."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes so far, in seconds (exited ones count nothing)."""
    ticks = 0
    for pid in pids:
        fields = process_stat(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
