"""The Analytics page's Altair charts. Each chart's encoding is built (and its spec validated)
once per process and given each run's data on a copy: building and validating the encoding
cost ~5x the rest of a chart, and were most of a rerun's time at 1M orders."""

from __future__ import annotations

from functools import cache

import altair as alt
import pandas as pd

from perfile_core.domain.delivery_stats import BIN_COUNT, bin_label

WEEKLY_COLUMNS = ["week", "courier", "on_time", "median", "p90", "exception_rate"]


class Prevalidated(alt.Chart):
    """A chart whose spec was validated when its template was built (`_checked`): Streamlit's
    `to_dict()` on each run then skips validating the same spec again."""

    def to_dict(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("validate", False)
        return super().to_dict(*args, **kwargs)


def _checked(template: alt.Chart) -> alt.Chart:
    template.to_dict(validate=True)  # raises on a spec Vega-Lite would refuse
    return template


def with_data(template: alt.Chart, frame: pd.DataFrame) -> alt.Chart:
    chart = template.copy(deep=False)  # a new chart: the shared template is never changed
    chart.data = frame
    return chart


@cache
def weekly_lines(field: str, title: str) -> alt.Chart:
    return _checked(
        Prevalidated(pd.DataFrame(columns=WEEKLY_COLUMNS))
        .mark_line(point=True)
        .encode(
            x=alt.X("week:O", title="Week (starting Monday)", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y(f"{field}:Q", title=title),
            color=alt.Color("courier:N", title="Courier"),
            tooltip=["week:O", "courier:N", alt.Tooltip(f"{field}:Q", format=".1f")],
        )
    )


@cache
def _histogram() -> alt.Chart:
    return _checked(
        Prevalidated(pd.DataFrame(columns=["bin", "order", "deliveries"]))
        .mark_bar()
        .encode(
            x=alt.X("bin:N", sort=alt.EncodingSortField("order"), title="Pickup to delivery"),
            y=alt.Y("deliveries:Q", title="Deliveries"),
            tooltip=["bin:N", "deliveries:Q"],
        )
    )


def histogram(bins: tuple[int, ...]) -> alt.Chart:
    frame = pd.DataFrame(
        {"bin": [bin_label(i) for i in range(BIN_COUNT)], "order": range(BIN_COUNT), "deliveries": bins}
        if bins
        else {"bin": [], "order": [], "deliveries": []}
    )
    return with_data(_histogram(), frame)


@cache
def _reasons() -> alt.Chart:
    return _checked(
        Prevalidated(pd.DataFrame(columns=["reason", "orders"]))
        .mark_bar()
        .encode(
            y=alt.Y("reason:N", sort="-x", title=None),
            x=alt.X("orders:Q", title="Orders"),
            tooltip=["reason:N", "orders:Q"],
        )
    )


def reasons(counts: dict[str, int]) -> alt.Chart:
    rows = [{"reason": reason.replace("_", " "), "orders": n} for reason, n in counts.items()]
    return with_data(_reasons(), pd.DataFrame(rows, columns=["reason", "orders"]))
