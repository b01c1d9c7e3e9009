"""Live pages shared by a process's sessions: one read per listener version (services/live_pages.py)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, event

from perfile_core.services import admin, live_pages
from perfile_core.services.live_pages import SharedPages
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.orders import create_order
from tests.actors import ADMIN


@pytest.fixture
def reads(db: Engine) -> list[str]:
    admin.add_store(db, key="live-store", name="Live", platform="manual", actor=ADMIN)
    for name in ("Ann", "Bo", "Cai"):
        create_order(db, {"store_key": "live-store", "customer_name": name}, actor=ADMIN)
    seen: list[str] = []
    event.listen(
        db,
        "before_cursor_execute",
        lambda c, cur, statement, *rest: seen.append(statement.lower()) if "from orders" in statement.lower() else None,
    )
    return seen


def test_one_read_per_version_and_none_without_one(db: Engine, reads: list[str]) -> None:
    pages = SharedPages(db)
    first = pages.page(OrderFilter(), limit=2, offset=0, version=7)
    assert pages.page(OrderFilter(), limit=2, offset=0, version=7) is first  # another session, same version
    assert len(reads) == 1
    pages.page(OrderFilter(), limit=2, offset=0, version=8)  # something changed
    pages.page(OrderFilter(needs_action=True), limit=2, offset=0, version=8)  # another view
    assert len(reads) == 3
    pages.page(OrderFilter(), limit=2, offset=0, version=None)
    pages.page(OrderFilter(), limit=2, offset=0, version=None)  # no push: nothing is vouched for
    assert len(reads) == 5


def test_totals_are_counted_again_after_a_change_at_most_every_few_seconds(
    db: Engine, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = SharedPages(db, background=False)
    page = pages.page(OrderFilter(), limit=2, offset=0, version=1)

    def counts() -> int:
        return sum("count(" in statement for statement in reads)

    assert pages.total(OrderFilter(), page, version=1, max_age=30) == (3, False) and counts() == 1
    assert pages.total(OrderFilter(), page, version=1, max_age=30) == (3, False) and counts() == 1
    assert pages.total(OrderFilter(), page, version=2, max_age=30) == (3, False) and counts() == 1  # counted < 5 s ago
    monkeypatch.setattr(live_pages, "RECOUNT_SECONDS", 0.0)
    pages.total(OrderFilter(), page, version=3, max_age=30)
    assert counts() == 2
    pages.total(OrderFilter(), page, version=3, max_age=0)  # too old
    pages.total(OrderFilter(), page, version=None, max_age=30)  # no push: always
    assert counts() == 4
    small = pages.page(OrderFilter(), limit=10, offset=0, version=3)
    assert pages.total(OrderFilter(), small, version=3, max_age=30) == (3, False) and counts() == 4  # all on the page


def test_a_recount_runs_in_the_background_and_the_tick_gets_the_last_total(db: Engine, reads: list[str]) -> None:
    pages = SharedPages(db)
    page = pages.page(OrderFilter(), limit=2, offset=0, version=1)
    assert pages.total(OrderFilter(), page, version=1, max_age=30) == (3, False)  # the first: counted now
    create_order(db, {"store_key": "live-store", "customer_name": "Dag"}, actor=ADMIN)
    assert pages.total(OrderFilter(), page, version=2, max_age=0) == (3, False)  # at once: the last total
    deadline = time.monotonic() + 5
    while pages.total(OrderFilter(), page, version=2, max_age=30) != (4, False) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pages.total(OrderFilter(), page, version=2, max_age=30) == (4, False)


def test_forget_makes_the_next_read_of_a_view_go_to_the_database(db: Engine, reads: list[str]) -> None:
    """The Orders page bench times a view's first read: forget() drops what the process kept."""
    pages = SharedPages(db, background=False)
    page = pages.page(OrderFilter(), limit=2, offset=0, version=7)
    pages.total(OrderFilter(), page, version=7, max_age=60)
    before = len(reads)
    pages.page(OrderFilter(), limit=2, offset=0, version=7)
    pages.total(OrderFilter(), page, version=7, max_age=60)
    assert len(reads) == before  # kept
    pages.forget()
    pages.page(OrderFilter(), limit=2, offset=0, version=7)
    pages.total(OrderFilter(), page, version=7, max_age=60)
    again = reads[before:]
    assert any("count(" in statement for statement in again)  # the total, counted again
    assert any(statement.startswith("select orders.id") for statement in again)  # the page, read again
