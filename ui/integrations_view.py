"""The Integrations page's sections. Every value from outside (sources named in a URL, reasons,
addresses, error texts) is shown in table cells, which are plain text; secrets never reach
this module: the services return only whether one is set and when."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.services.integrations import (
    WINDOW,
    CourierConfig,
    DeliveryProblem,
    OutboxSummary,
    SourceCounts,
    StoreConfig,
)
from perfile_core.services.poller_runs import PollerRun
from ui.safe_text import md
from ui.timefmt import local_naive

RESULTS = ("accepted", "ignored", "duplicate", "rejected")
NEVER = "—"
TIME = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")


def _when(value: datetime | None) -> str:
    local = local_naive(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else NEVER


def _host(url: str | None) -> str:
    """Only the host: a base URL may carry a token in its path, query or user part."""
    return (urlsplit(url).hostname or NEVER) if url else "default"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def render_deliveries(sources: list[SourceCounts], problems: list[DeliveryProblem]) -> None:
    st.subheader("Webhook deliveries")
    st.caption(f"Among the newest {WINDOW:,} deliveries and the newest {WINDOW:,} duplicates and refusals.")
    if not sources:
        st.info("No webhook deliveries yet.")
        return
    rows = [
        {"Source": s.source, **{r.capitalize(): s.counts.get(r, 0) for r in RESULTS}, "Last": local_naive(s.last_at)}
        for s in sources
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={"Last": TIME})
    st.markdown("**Not accepted, newest first**")
    if not problems:
        st.caption("Every recent delivery was accepted.")
        return
    frame = pd.DataFrame(
        [
            {
                "Received": local_naive(p.received_at),
                "Source": p.source,
                "Result": p.result,
                "Answer": " ".join(str(part) for part in (p.status or 200, p.code) if part),
                "Reason": p.reason or NEVER,
            }
            for p in problems
        ]
    )
    wide = st.column_config.TextColumn(width="large")
    st.dataframe(frame, hide_index=True, width="stretch", column_config={"Received": TIME, "Reason": wide})


def render_poller(runs: list[PollerRun]) -> None:
    st.subheader("Tracking poller (PostNord, DHL)")
    if not runs:
        st.info("The tracking poller has not run yet (`python -m perfile_core poll-tracking`).")
        return
    latest = runs[0]
    if latest.failures:
        failed = ", ".join(f"{COURIER_NAMES.get(c, c)} ({n})" for c, n in latest.failed_couriers.items())
        st.error(f"The last pass at {md(_when(latest.started_at))} could not reach: {md(failed)}", icon="📡")
    else:
        st.success(f"The last pass at {md(_when(latest.started_at))} reached every courier.", icon="📡")
    rows = [
        {
            "Started": local_naive(run.started_at),
            "Seconds": round((run.finished_at - run.started_at).total_seconds(), 1),
            "Shipments": run.shipments,
            "New events": run.events_new,
            "Status changes": run.status_changes,
            "Failures": run.failures,
            "First failure": (
                f"{COURIER_NAMES.get(run.errors[0]['courier'], run.errors[0]['courier'])} "
                f"{run.errors[0]['order']}: {run.errors[0]['message']}"
                if run.errors
                else NEVER
            ),
        }
        for run in runs
    ]
    wide = st.column_config.TextColumn(width="large")
    config = {"Started": TIME, "First failure": wide}
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config=config)


def render_outbox(summary: OutboxSummary) -> None:
    st.subheader("Customer e-mails")
    counts = st.columns(4)
    for column, status in zip(counts, ("outbox", "sending", "sent", "failed"), strict=True):
        column.metric(status.capitalize(), f"{summary.counts.get(status, 0):,}")
    st.caption(f"Among the newest {WINDOW:,} e-mails. With no SMTP host configured, e-mails wait in the outbox.")
    if summary.failed:
        frame = pd.DataFrame(
            [{"Queued": local_naive(at), "To": to, "Error": error or NEVER} for at, to, error in summary.failed]
        )
        st.dataframe(frame, hide_index=True, width="stretch", column_config={"Queued": TIME})


def render_configuration(stores: list[StoreConfig], couriers: list[CourierConfig]) -> None:
    st.subheader("Stores")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Store": s.key,
                    "Name": s.name,
                    "Platform": s.platform,
                    "Shop domain": s.shop_domain or NEVER,
                    "Webhook secret": _yes(s.secret_set),
                    "Secret set": _when(s.secret_set_at) if s.secret_set else NEVER,
                    "Previous secret still valid": _yes(s.previous_secret_valid),
                    "Last delivery": _when(s.last_delivery_at),
                }
                for s in stores
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.subheader("Couriers")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Courier": COURIER_NAMES.get(c.code, c.code),
                    "Enabled": _yes(c.enabled),
                    "API host": _host(c.base_url),
                    "API key": _yes(c.api_key_set),
                    "Credentials": _yes(c.credentials_set),
                    "Webhook secret": _yes(c.secret_set),
                    "Secret set": _when(c.secret_set_at) if c.secret_set else NEVER,
                    "Previous secret still valid": _yes(c.previous_secret_valid),
                    "Reports for": ", ".join(COURIER_NAMES.get(x, x) for x in c.speaks_for) or NEVER,
                    "Last webhook": _when(c.last_delivery_at),
                }
                for c in couriers
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption("Secrets are never shown: only whether one is set and when it was set or rotated.")
