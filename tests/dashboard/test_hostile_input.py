"""Odd text in the URL or the search box: the dashboard answers "no match", never a traceback."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import serve_demo_orders

ROOT = Path(__file__).resolve().parents[2]
# NUL (a DataError on PostgreSQL before), digits str.isdigit() accepts but int() refuses or
# reads as a number, an RTL mark, a right-to-left override and a very long value.
ODD_REFERENCES = ["\x00", "12\x00", "²", "٣", "\uff13", "\u200f7\u202e", "x" * 10_000]


@pytest.fixture
def dashboard_db(db_url, monkeypatch):
    yield from serve_demo_orders(db_url, monkeypatch, orders=5)


def _short(value: str) -> str:
    return ascii(value)[:24] + f"/{len(value)}"


def _shown_text(at: AppTest) -> str:
    # Text content only: how the message is marked up is not this test's concern.
    shown = [*at.warning, *at.info, *at.error, *at.markdown]
    return "\n".join(str(element.value) for element in shown)


@pytest.mark.parametrize("reference", ODD_REFERENCES, ids=_short)
def test_order_page_says_no_order_matches_an_odd_url(dashboard_db, reference):
    at = AppTest.from_file(str(ROOT / "pages" / "1_Order.py"), default_timeout=30)
    at.query_params["order"] = reference
    at.run()

    assert not at.exception, [e.value for e in at.exception]
    shown = _shown_text(at)
    assert "no order matches" in shown or "at most 200" in shown, shown
    assert not at.subheader  # no order, so no timeline


@pytest.mark.parametrize("search", ["\x00", ":b", "²", "x" * 10_000], ids=_short)
def test_orders_search_box_takes_odd_text(dashboard_db, search):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.sidebar.text_input(key="f_search").input(search).run()

    assert not at.exception, [e.value for e in at.exception]
    if len(search) > 200:
        assert "at most 200" in _shown_text(at)
    else:
        assert len(at.dataframe[0].value) == 0


def test_orders_page_offers_the_cores_csv_instead_of_the_tables_own(dashboard_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()

    assert not at.exception
    assert [button.label for button in at.get("download_button")] == ["Download CSV"]
    # Streamlit's table download writes cells verbatim; the config turns it off.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
