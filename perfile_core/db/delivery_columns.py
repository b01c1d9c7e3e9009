"""The measures delivery analytics sum, named once for the rollup table, its trigger and the
on-the-fly aggregate."""

from __future__ import annotations

from perfile_core.domain.delivery_stats import BIN_COUNT
from perfile_core.domain.status import ExceptionReason

REASONS = tuple(reason.value for reason in ExceptionReason)
BIN_COLUMNS = tuple(f"bin_{index:02d}" for index in range(BIN_COUNT))
REASON_COLUMNS = tuple(f"reason_{reason}" for reason in REASONS)
MEASURES = ("orders", "tracked", "delivered", "promised", "on_time", "exceptions", "delivery_seconds")
ALL_MEASURES = (*MEASURES, *REASON_COLUMNS, *BIN_COLUMNS)
KEY_COLUMNS = ("day", "courier", "store_id", "region")
