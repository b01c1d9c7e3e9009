"""Latency distributions that merge: percentiles over every request of a run, not of a window.

wrk hands its whole distribution to the Lua script's done() (bench/receiver_wrk.lua writes it
out: distinct latency in microseconds -> count). A run's windows are merged by adding counts,
so a run's p99 counts the slow windows (a checkpoint) with their weight, where a median of the
windows' p99s would drop them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


class Histogram:
    def __init__(self, counts: dict[int, int] | None = None) -> None:
        self.counts: Counter[int] = Counter(counts or {})

    def add(self, microseconds: int, count: int = 1) -> None:
        self.counts[microseconds] += count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percentile_ms(self, q: float) -> float:
        """The smallest latency that at least q % of the requests did not exceed (as wrk's)."""
        total = self.total
        if not total:
            return float("nan")
        rank = max(1, -(-total * q // 100))  # ceil(total * q / 100)
        seen = 0
        for microseconds in sorted(self.counts):
            seen += self.counts[microseconds]
            if seen >= rank:
                return microseconds / 1000
        raise AssertionError("unreachable")

    @classmethod
    def merged(cls, parts: Iterable[Histogram]) -> Histogram:
        merged = cls()
        for part in parts:
            merged.counts.update(part.counts)
        return merged
