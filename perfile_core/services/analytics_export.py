"""Delivery analytics as CSV: one row per breakdown (total, courier, week, courier and week),
written by the orders export's writer, so text cells that a spreadsheet would run are
neutralised the same way."""

from __future__ import annotations

import io
from typing import Any

from perfile_core.db.delivery_columns import REASONS
from perfile_core.services.analytics import AnalyticsReport, DeliveryStats
from perfile_core.services.exports import write_csv

FIGURES = list(DeliveryStats().figures())
FIELDS = ["breakdown", "courier", "week", *FIGURES, *(f"reason_{reason}" for reason in REASONS)]


def analytics_rows(report: AnalyticsReport) -> list[dict[str, Any]]:
    def row(breakdown: str, courier: str, week: str, stats: DeliveryStats) -> dict[str, Any]:
        reasons = {f"reason_{reason}": stats.reasons.get(reason, 0) for reason in REASONS}
        return {"breakdown": breakdown, "courier": courier, "week": week, **stats.figures(), **reasons}

    rows = [row("total", "", "", report.total)]
    rows += [row("courier", courier or "(none)", "", stats) for courier, stats in report.by_courier.items()]
    rows += [row("week", "", week, stats) for week, stats in report.by_week.items()]
    rows += [
        row("courier and week", courier or "(none)", week, stats)
        for (courier, week), stats in report.by_courier_week.items()
    ]
    return rows


def analytics_csv(report: AnalyticsReport) -> str:
    out = io.StringIO()
    write_csv(analytics_rows(report), FIELDS, out)
    return out.getvalue()
