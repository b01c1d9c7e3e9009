"""The Integrations page (AppTest) on SQLite and PostgreSQL, after real traffic through the
receiver and a tracking poller pass against a PostNord that cannot be reached."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from perfile_core.config import load_settings
from perfile_core.couriers.registry import build_registry
from perfile_core.db.engine import make_engine
from perfile_core.domain.tracking_numbers import make_s10
from perfile_core.services import admin
from perfile_core.services import orders as order_service
from perfile_core.services.poller import poll_tracking
from receiver import create_app
from tests.actors import ADMIN, person
from tests.receiver.helpers import (
    BRING_SECRET,
    DHL_SECRET,
    POSTNORD_SECRET,
    SANDBOX_SECRET,
    SHOPIFY_SECRET,
    WOO_SECRET,
    configure_sources,
    unified_event,
)

ROOT = Path(__file__).resolve().parents[2]
NEW_WOO_SECRET = "wc-rotated-secret-Zk83PqLm"
API_KEY = "pn-api-key-do-not-show-7731"
SECRETS = (
    BRING_SECRET,
    DHL_SECRET,
    POSTNORD_SECRET,
    SANDBOX_SECRET,
    SHOPIFY_SECRET,
    WOO_SECRET,
    NEW_WOO_SECRET,
    API_KEY,
)
WRONG_SECRET = "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXdyb25n"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def traffic_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    engine = make_engine(db_url)
    configure_sources(engine)
    admin.rotate_store_secret(engine, "demo-woo", NEW_WOO_SECRET, actor=ADMIN)
    admin.configure_courier(
        engine, "postnord", api_key=API_KEY, base_url=f"http://127.0.0.1:{_closed_port()}", actor=ADMIN
    )
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    client = app.test_client()
    at = datetime(2026, 11, 20, 8, tzinfo=UTC)
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", "00373500000000000017", "in_transit", at, event_id="e1")
    assert client.post("/webhooks/couriers/sandbox", data=body, headers=headers).status_code == 200
    assert client.post("/webhooks/couriers/sandbox", data=body, headers=headers).json == {"status": "duplicate"}
    body, headers = unified_event(WRONG_SECRET, "sandbox", "00373500000000000017", "delivered", at, event_id="e2")
    assert client.post("/webhooks/couriers/sandbox", data=body, headers=headers).status_code == 401
    app.extensions["perfile"].perfile.close()
    order = order_service.create_order(engine, {"store_key": "manual-store", "customer_name": "Eva"}, actor=person("t"))
    order_service.attach_tracking(engine, order.id, make_s10("PN", 7, "SE"), "postnord", actor=person("t"))
    registry = build_registry(admin.list_courier_accounts(engine), load_settings(database_url=db_url))
    report = poll_tracking(engine, registry)
    assert report.errors and "could not reach" in report.errors[0][1]
    monkeypatch.setenv("PERFILE_DATABASE_URL", db_url)
    from ui.context import perfile

    perfile.clear()
    yield engine
    perfile().close()
    perfile.clear()
    engine.dispose()


def _everything_shown(at: AppTest) -> str:
    kinds = ("title", "subheader", "markdown", "caption", "info", "error", "success", "metric")
    parts = [str(getattr(element, "value", "")) for kind in kinds for element in getattr(at, kind)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def test_deliveries_refusals_poller_failures_and_configuration(traffic_db: Engine) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "3_Integrations.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    per_source = at.dataframe[0].value.set_index("Source")
    assert per_source.loc["courier:sandbox", ["Accepted", "Duplicate", "Rejected"]].tolist() == [1, 1, 1]
    problems = at.dataframe[1].value
    rejected = problems[problems["Result"] == "rejected"].iloc[0]
    assert rejected["Answer"].startswith("401 ") and "signature" in rejected["Reason"]
    assert (problems["Result"] == "duplicate").sum() == 1
    (failure,) = at.error
    assert "could not reach: PostNord (1)" in failure.value.replace("\\", "")
    runs = at.dataframe[2].value
    assert runs.loc[0, "Failures"] == 1 and "could not reach PostNord" in runs.loc[0, "First failure"]
    stores = at.dataframe[3].value.set_index("Store")
    assert stores.loc["demo-woo", ["Webhook secret", "Previous secret still valid"]].tolist() == ["yes", "yes"]
    assert stores.loc["manual-store", ["Webhook secret", "Secret set"]].tolist() == ["no", "—"]
    couriers = at.dataframe[4].value.set_index("Courier")
    assert couriers.loc["PostNord", ["API key", "Webhook secret", "API host"]].tolist() == ["yes", "yes", "127.0.0.1"]
    assert couriers.loc["Sandbox Express", "Last webhook"] != "—"
    shown = _everything_shown(at)
    assert not [secret for secret in SECRETS if secret in shown]
    assert "None" not in shown


def test_the_audit_log_filters_by_person_and_day(traffic_db: Engine) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "3_Integrations.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    audit = at.dataframe[-1].value
    assert {"Test Admin", "t"} <= set(audit["Who"])
    assert "admin@perfile.test" in set(audit["E-mail"])
    at.selectbox(key="audit_person").set_value("t").run()
    only_t = at.dataframe[-1].value
    assert set(only_t["Who"]) == {"t"} and len(only_t) < len(audit)
    assert any("attached" in what.lower() for what in only_t["What"])  # the tracking number the test attached
    at.selectbox(key="audit_person").set_value("Test Admin · admin@perfile.test").run()
    assert set(at.dataframe[-1].value["Who"]) == {"Test Admin"}
    yesterday = at.date_input(key="audit_days").value[0] - timedelta(days=1)
    at.date_input(key="audit_days").set_value((yesterday - timedelta(days=5), yesterday)).run()
    assert not at.exception
    assert any("No audit entries" in info.value for info in at.info)
    assert "None" not in _everything_shown(at)
