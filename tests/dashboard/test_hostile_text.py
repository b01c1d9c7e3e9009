"""Hostile text sent through the real receiver is shown as text on every page (AppTest).

The payloads (tests/receiver/hostile_text.py) go through the Flask receiver into every text field a
page shows; then every page is rendered and every Markdown body it produced is checked for
markup a Markdown renderer would act on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from perfile_core.db.engine import make_engine
from perfile_core.domain.couriers import TRACKING_URL_TEMPLATES, tracking_url
from receiver import create_app
from tests.receiver.helpers import configure_sources
from tests.receiver.hostile_text import PAYLOADS, T0, PlantedOrder, flask_poster, plant, send_sandbox_event

ROOT = Path(__file__).resolve().parents[2]
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "toast")
OUR_LINK_PREFIXES = tuple(template.split("{")[0] for template in TRACKING_URL_TEMPLATES.values())
WORD_JOINER = "\u2060"
# CommonMark: a backslash before ASCII punctuation makes that character literal.
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
OUR_LINK = re.compile(r"\]\((" + "|".join(re.escape(prefix) for prefix in OUR_LINK_PREFIXES) + r")[^)\s]*\)")


def visible(source: str) -> str:
    """The text a reader sees for a Markdown body without markup."""
    return ESCAPED.sub(r"\1", source).replace(WORD_JOINER, "")


def live_markup(source: str) -> list[str]:
    """What a Markdown renderer (Streamlit's GFM) would turn into HTML, images or links,
    other than links to our own tracking pages."""
    source = OUR_LINK.sub("]", source)
    live = ESCAPED.sub("\x00", source)  # escaped characters cannot start anything
    text = ESCAPED.sub(r"\1", source)  # word joiners kept: they are what stop autolinks
    problems = [f"HTML tag {m.group()!r}" for m in re.finditer(r"<[A-Za-z/!?][^>]{0,30}", live)]
    problems += [f"link or image {m.group()!r}" for m in re.finditer(r"!?\[[^\]]*\]\([^)]*\)?", live)]
    problems += [f"autolink {m.group()!r}" for m in re.finditer(r"(?i)(https?://|www\.)[-\w.]+", text)]
    problems += [f"e-mail autolink {m.group()!r}" for m in re.finditer(r"[-.\w+]+@[-\w]+(\.[-\w]+)+", text)]
    return problems


def shown(at: AppTest) -> list[str]:
    return [element.value for name in TEXT_ELEMENTS for element in getattr(at, name)]


def link_column_names(table: Dataframe) -> list[str]:
    """The columns the rendered table shows as links (its column config, as sent to the browser)."""
    config = json.loads(table.proto.columns or "{}")
    return [name for name, column in config.items() if column.get("type_config", {}).get("type") == "link"]


def assert_text_only(at: AppTest) -> str:
    """No exception and no live markup; returns everything shown, as a reader sees it."""
    assert not at.exception, [e.value for e in at.exception]
    bodies = shown(at)
    problems = {body: live_markup(body) for body in bodies if live_markup(body)}
    assert not problems, problems
    return "\n".join(visible(body) for body in bodies)


def test_the_markup_check_sees_what_the_renderer_would_act_on() -> None:
    from ui.safe_text import md

    for payload in PAYLOADS:
        assert live_markup(payload), payload  # raw, each payload is live markup
        assert live_markup(md(payload)) == []
        assert visible(md(payload)) == payload
    assert live_markup(r"http\:\/\/evil\.example")  # escapes alone do not stop GFM autolinks
    assert live_markup("write to a@evil.example")
    assert live_markup(r"\\<b>")  # an escaped backslash leaves the tag live
    assert live_markup(f"[1]({tracking_url('bring', '1')})") == []


@pytest.fixture
def planted(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[PlantedOrder], object]]:
    engine = make_engine(db_url)
    configure_sources(engine)
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    post = flask_poster(app.test_client())
    orders = plant(post)
    monkeypatch.setenv("PERFILE_DATABASE_URL", db_url)
    from ui.context import perfile

    perfile.clear()
    yield orders, post
    perfile().close()  # the one the pages used: its PostgreSQL connections must not outlive the database
    perfile.clear()
    app.extensions["perfile"].perfile.close()
    engine.dispose()


def test_hostile_text_from_every_source_is_shown_as_text_on_every_page(planted) -> None:
    orders, post = planted

    for order in orders:
        at = AppTest.from_file(str(ROOT / "pages" / "1_Order.py"), default_timeout=30)
        at.query_params["order"] = order.order_number
        at.run()
        seen = assert_text_only(at)
        for text in order.texts:
            assert text in seen, (order.order_number, text)
        assert order.tracking_number in seen

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()  # Orders, the default page
    assert_text_only(at)
    frame = at.dataframe[0].value
    assert len(frame) == len(orders)
    for payload in PAYLOADS:
        assert payload in set(frame["customer"]), payload
        assert payload in set(frame["courier"]), payload
        assert any(payload in latest for latest in frame["latest_event"]), payload
    # Only our own templates make links, and never for an unknown courier; the number is text.
    link_columns = link_column_names(at.dataframe[0])
    assert link_columns
    for name in link_columns:
        links = [None if pd.isna(link) else link for link in frame[name]]
        assert all(link is None or link.startswith(OUR_LINK_PREFIXES) for link in links), links
        by_number = dict(zip(frame["tracking"], links, strict=True))
        for order in orders:
            assert by_number[order.tracking_number] == tracking_url(order.courier, order.tracking_number)

    # A live tick: the toast names the hostile customer as text.
    for index, _ in enumerate(PAYLOADS):
        send_sandbox_event(post, orders[index * 4].tracking_number, "delivered", T0 + timedelta(hours=3))
    at.run()
    toasts = [visible(toast.value) for toast in at.toast]
    assert_text_only(at)
    assert len(toasts) == 5, toasts  # five per tick at most
    assert all(any(payload in toast for payload in PAYLOADS) for toast in toasts), toasts

    at = AppTest.from_file(str(ROOT / "pages" / "2_Analytics.py"), default_timeout=30).run()
    at.date_input(key="a_period").set_value((T0.date() - timedelta(days=60), date.today())).run()
    assert_text_only(at)
    assert len(at.dataframe[0].value) >= 1


@pytest.fixture
def empty_db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("PERFILE_DATABASE_URL", sqlite_url)
    from ui.context import perfile

    perfile.clear()
    yield sqlite_url
    perfile.clear()


@pytest.mark.parametrize("reference", PAYLOADS)
def test_an_unknown_order_reference_in_the_url_is_quoted_as_text(empty_db: str, reference: str) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "1_Order.py"), default_timeout=30)
    at.query_params["order"] = reference
    at.run()
    seen = assert_text_only(at)
    assert f"no order matches {reference!r}" in seen
