"""Integrations for operators: webhook deliveries, the tracking poller, e-mails, configuration."""

from __future__ import annotations

import streamlit as st

from perfile_core.services import audit_log, integrations
from perfile_core.services.poller_runs import recent_runs
from ui.audit_view import render_audit, render_audit_filter
from ui.context import perfile
from ui.integrations_view import render_configuration, render_deliveries, render_outbox, render_poller
from ui.page_gate import enter_page

enter_page()  # before anything is read: a page may run without app.py (ui/page_gate.py)

st.title("Integrations")
st.caption("What webshops and couriers sent us, what we fetched, what we sent, and how each is configured.")

db = perfile().db
render_deliveries(integrations.deliveries_per_source(db), integrations.delivery_problems(db))
render_poller(recent_runs(db))
render_outbox(integrations.outbox_summary(db))
render_configuration(integrations.configured_stores(db), integrations.configured_couriers(db))

AUDIT_LIMIT = 200
audit = render_audit_filter(audit_log.audit_people(db))
entries = audit_log.audit_entries(db, person=audit.person, since=audit.since, until=audit.until, limit=AUDIT_LIMIT)
render_audit(entries, AUDIT_LIMIT)
