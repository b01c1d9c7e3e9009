"""The Integrations page's audit log: who did what, when, filtered by person, action and period.

The filter's days are the operators' days (display zone); the service takes UTC bounds.
Names, e-mails, order numbers and change texts are shown in table cells, which are plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from perfile_core.clock import utcnow
from perfile_core.services.audit_log import AuditEntry
from ui.timefmt import display_zone, local, local_naive

EVERYONE = "Everyone"
DEFAULT_DAYS = 30
TIME = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")


@dataclass(frozen=True)
class AuditFilter:
    person: str | None  # an e-mail address, or a name / system source; None for everyone
    since: datetime  # UTC, inclusive
    until: datetime  # UTC, exclusive


def person_choices(people: list[tuple[str, str | None]]) -> dict[str, str]:
    """Label shown -> what the service matches: the e-mail where there is one, else the name."""
    return {(f"{name} · {email}" if email else name): (email or name) for name, email in people}


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The operators' days `first`..`last` (both included) as UTC bounds."""
    zone = display_zone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def render_audit_filter(people: list[tuple[str, str | None]]) -> AuditFilter:
    st.subheader("Audit log")
    st.caption("Every change made by a person, the command line or a webhook, with the values before and after.")
    choices = person_choices(people)
    today = local(utcnow()).date()
    who, days = st.columns([2, 2])
    label = who.selectbox("Person", [EVERYONE, *choices], key="audit_person")
    period = days.date_input(
        "Days", value=(today - timedelta(days=DEFAULT_DAYS - 1), today), max_value=today, key="audit_days"
    )
    first, last = (period[0], period[-1]) if isinstance(period, tuple) and period else (today, today)
    since, until = day_bounds(first, last)
    return AuditFilter(None if label == EVERYONE else choices[label], since, until)


def _values(values: dict | None) -> str:
    """ "field: value, ..." with an empty value said as "none" (a cleared phone, no courier yet)."""
    if not values:
        return "—"
    return ", ".join(f"{key}: {'none' if value in (None, '') else value}" for key, value in values.items())


def render_audit(entries: list[AuditEntry], limit: int) -> None:
    if not entries:
        st.info("No audit entries for this person and period.")
        return
    frame = pd.DataFrame(
        [
            {
                "When": local_naive(entry.at),
                "Who": entry.actor,
                "E-mail": entry.actor_email or "—",
                "Role": entry.actor_role or "—",
                "What": entry.title,
                "Order": entry.order_number or "—",
                "Before": _values(entry.before),
                "After": _values(entry.after),
            }
            for entry in entries
        ]
    )
    wide = st.column_config.TextColumn(width="large")
    config = {"When": TIME, "What": wide, "Before": wide, "After": wide}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
    if len(entries) == limit:
        st.caption(f"The newest {limit:,} entries; narrow the period or the person to see older ones.")
