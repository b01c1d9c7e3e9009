"""Delivery statistics rules that analytics share (standard library only).

Delivery times are counted in a histogram of fixed bins, so a median or p90 can be read
from sums kept per day (the PostgreSQL rollup) and from the orders themselves alike:
both count the same bins, so both give the same figure. Bins are 2 h wide up to two days,
where most parcels arrive, then wider; a percentile is interpolated inside its bin.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

# Lower edges in hours; the last bin is open-ended (240 h and more).
BIN_EDGES_HOURS: tuple[int, ...] = (*range(0, 48, 2), *range(48, 96, 6), 96, 120, 144, 168, 240)
BIN_COUNT = len(BIN_EDGES_HOURS)
OPEN_BIN_START = BIN_EDGES_HOURS[-1]


def bin_index(seconds: float) -> int:
    """The bin a delivery time falls in; a negative time (delivered before the pickup scan) is bin 0."""
    return max(bisect_right(BIN_EDGES_HOURS, seconds / 3600) - 1, 0)


def bin_label(index: int) -> str:
    start = BIN_EDGES_HOURS[index]
    if index == BIN_COUNT - 1:
        return f"{start} h+"
    return f"{start}-{BIN_EDGES_HOURS[index + 1]} h"


def percentile_hours(counts: Sequence[int], share: float) -> float | None:
    """The delivery time below which `share` of the deliveries fall, interpolated in its bin
    (the open last bin reports its start). None without deliveries."""
    total = sum(counts)
    if total <= 0:
        return None
    target = share * total
    seen = 0
    for index, count in enumerate(counts):
        if count > 0 and seen + count >= target:
            start = BIN_EDGES_HOURS[index]
            if index == BIN_COUNT - 1:
                return float(start)
            width = BIN_EDGES_HOURS[index + 1] - start
            return round(start + width * (target - seen) / count, 1)
        seen += count
    return float(OPEN_BIN_START)


def destination_region(country_code: str | None, postal_code: str | None) -> str:
    """A destination region: the country and the first character of the postal code
    ("SE-1" is Stockholm's area, "SE-4" Gothenburg's); "" when the country is unknown."""
    country = (country_code or "").upper()
    if not country:
        return ""
    return f"{country}-{(postal_code or '')[:1]}"
