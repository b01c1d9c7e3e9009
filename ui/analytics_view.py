"""The Analytics page's sections: filters in, figures, charts and tables out.

Every figure comes from `services.analytics` (sums in SQL); this module only shapes them for
Streamlit and Altair. Missing figures (no delivery yet) show as "—", never "None".
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from perfile_core.clock import utcnow
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.services.analytics import AnalyticsFilter, AnalyticsReport, DeliveryStats, region_options
from ui import analytics_charts as charts
from ui.context import perfile
from ui.filters import store_options

DEFAULT_WEEKS = 12
NO_VALUE = "—"


@st.cache_data(ttl=300)
def regions() -> list[str]:
    return region_options(perfile().db)


def courier_label(code: str) -> str:
    return COURIER_NAMES.get(code, code) if code else "No courier yet"


def analytics_filter() -> AnalyticsFilter:
    today = utcnow().date()
    # Above the figures, not in the sidebar: the range ("2026-09-06 to 2026-11-29") needs more
    # than the 240 px sidebar (app.SIDEBAR_WIDTH) gives it.
    period = st.date_input(
        "Created between (UTC days)",
        value=(today - timedelta(weeks=DEFAULT_WEEKS), today),
        key="a_period",
        format="YYYY-MM-DD",
        width=280,
    )
    with st.sidebar:
        st.header("Filters")
        stores = store_options()
        store_keys = st.multiselect("Store", list(stores), format_func=stores.get, key="a_store")
        couriers = st.multiselect("Courier", list(COURIER_NAMES), format_func=COURIER_NAMES.get, key="a_courier")
        chosen_regions = st.multiselect(
            "Destination region",
            regions(),
            key="a_region",
            help="Country and the first digit of the postal code (SE-1 is the Stockholm area)",
        )
    start, end = _period(period)
    return AnalyticsFilter(
        created_from=start,
        created_to=end,
        store_keys=tuple(store_keys),
        couriers=tuple(couriers),
        regions=tuple(chosen_regions),
    )


def _period(value: Any) -> tuple[date | None, date | None]:
    """A date range while it is being picked may have one end only."""
    if isinstance(value, date):
        return value, value
    days = list(value or ())
    return (days[0] if days else None), (days[1] if len(days) > 1 else None)


def percent(rate: float | None) -> str:
    return NO_VALUE if rate is None else f"{rate * 100:.1f} %"


def hours(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:.1f} h"


def render_kpis(total: DeliveryStats) -> None:
    columns = st.columns(6)
    columns[0].metric("Orders", f"{total.orders:,}")
    columns[1].metric("Delivered", f"{total.delivered:,}")
    columns[2].metric("On time", percent(total.on_time_rate), help="Of delivered orders with a promised day")
    columns[3].metric("Median delivery time", hours(total.median_hours))
    columns[4].metric("p90 delivery time", hours(total.p90_hours))
    columns[5].metric("Exception rate", percent(total.exception_rate), help="Of orders with tracking")


def figures_frame(groups: dict[str, DeliveryStats], label: str) -> pd.DataFrame:
    rows = [
        {
            label: name,
            "Orders": stats.orders,
            "Delivered": stats.delivered,
            "On time": percent(stats.on_time_rate),
            "Median": hours(stats.median_hours),
            "p90": hours(stats.p90_hours),
            "Average": hours(stats.avg_hours),
            "Exceptions": stats.exceptions,
            "Exception rate": percent(stats.exception_rate),
        }
        for name, stats in groups.items()
    ]
    return pd.DataFrame(rows)


def render_tables(report: AnalyticsReport) -> None:
    by_courier = {courier_label(code): stats for code, stats in report.by_courier.items()}
    st.subheader("Per courier")
    st.dataframe(figures_frame(by_courier, "Courier"), hide_index=True, width="stretch")
    st.subheader("Per week")
    st.caption("Weeks start on Monday and are named by that day (UTC).")
    st.dataframe(figures_frame(report.by_week, "Week"), hide_index=True, width="stretch")


def _week_frame(report: AnalyticsReport) -> pd.DataFrame:
    rows = [
        {
            "week": week,
            "courier": courier_label(courier),
            "on_time": None if stats.on_time_rate is None else stats.on_time_rate * 100,
            "median": stats.median_hours,
            "p90": stats.p90_hours,
            "exception_rate": None if stats.exception_rate is None else stats.exception_rate * 100,
        }
        for (courier, week), stats in report.by_courier_week.items()
        if courier
    ]
    return pd.DataFrame(rows, columns=charts.WEEKLY_COLUMNS)


def render_charts(report: AnalyticsReport) -> None:
    weekly = _week_frame(report)
    left, right = st.columns(2)
    with left:
        st.subheader("On-time rate per week")
        frame = weekly.dropna(subset=["on_time"])
        st.altair_chart(charts.with_data(charts.weekly_lines("on_time", "On time (%)"), frame), width="stretch")
    with right:
        st.subheader("Median delivery time per week")
        frame = weekly.dropna(subset=["median"])
        st.altair_chart(charts.with_data(charts.weekly_lines("median", "Median (h)"), frame), width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader("Delivery time distribution")
        st.altair_chart(charts.histogram(report.total.bins), width="stretch")
    with right:
        st.subheader("Exception reasons")
        st.altair_chart(charts.reasons(report.total.reasons), width="stretch")
