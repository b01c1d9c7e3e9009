"""Driving the operator dialogs in AppTest: a bare page, orders in known states, and what
the operator reads (Markdown as shown, without md()'s escapes)."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from perfile_core.clock import utcnow
from perfile_core.db.tables import audit_log
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.services import orders as order_service
from perfile_core.services.booking import book_order
from perfile_core.services.order_detail import order_detail
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.actors import person
from tests.booking.conftest import BOOKABLE_ORDER
from ui.dialogs import OPEN_DIALOG_KEY, OpenDialog
from ui.safe_text import WORD_JOINER

PAGE = Path(__file__).with_name("dialog_page.py")
STORE = "coffee"


def couriers():
    from ui.context import perfile

    return perfile().couriers


def new_order(db: Engine, **fields) -> int:
    data = {"store_key": STORE, **BOOKABLE_ORDER, **fields}
    return order_service.create_order(db, data, actor=person("test")).id


def booked_order(db: Engine, courier: str = "sandbox", service: str = "home") -> int:
    order_id = new_order(db)
    book_order(db, couriers(), order_id, courier, service, actor=person("test"), send_notification=False)
    return order_id


def lost_order(db: Engine) -> int:
    order_id = booked_order(db)
    number = order_detail(db, order_id).order.tracking_number
    event = TrackingEvent(
        "sandbox", number, "lost-1", utcnow() - timedelta(hours=1), Status.EXCEPTION, ExceptionReason.LOST
    )
    with db.begin() as conn:
        record_event(conn, event, utcnow())
    return order_id


def open_dialog(name: str, order_ids: list[int]) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state[OPEN_DIALOG_KEY] = OpenDialog(name, order_ids)
    return at.run()


def click(at: AppTest, label: str) -> AppTest:
    return next(button for button in at.button if button.label == label).click().run()


def plain(markdown: str) -> str:
    """Markdown as the reader sees it (md() escapes punctuation with backslashes)."""
    return markdown.replace("\\", "").replace(WORD_JOINER, "")


def shown(at: AppTest) -> str:
    elements = [*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success, *at.toast]
    return "\n".join(plain(str(element.value)) for element in elements)


def captions(at: AppTest) -> str:
    return "\n".join(plain(caption.value) for caption in at.caption)


def toasts(at: AppTest) -> str:
    return "\n".join(plain(toast.value) for toast in at.toast)


def open_name(at: AppTest) -> str | None:
    dialog = at.session_state[OPEN_DIALOG_KEY] if OPEN_DIALOG_KEY in at.session_state else None  # noqa: SIM401
    return dialog.name if dialog else None


def audit(db: Engine, action: str) -> list[dict]:
    with db.connect() as conn:
        query = select(audit_log.c.details).where(audit_log.c.action == action).order_by(audit_log.c.id)
        return list(conn.execute(query).scalars())


def message_under(at: AppTest, key: str) -> str | None:
    """The caption right below the widget with this key (where a field's message goes)."""
    for column in at.columns:
        nodes = list(column.children.values())
        for above, below in pairwise(nodes):
            if getattr(above, "key", None) == key and below.type == "caption":
                return plain(below.value)
    return None
