"""The Orders table's cell colours (ui.orders_frame.styled), as the Styler hands them to Streamlit."""

from __future__ import annotations

import pandas as pd

from perfile_core.domain.status import BadgeColor
from ui.orders_frame import BADGE_STYLE, CHANGED_STYLE, COLUMNS, NO_TRACKING, NO_TRACKING_STYLE, styled


def css(text: str) -> list[tuple[str, str]]:
    return [tuple(part.strip() for part in rule.split(":")) for rule in text.split(";")]  # type: ignore[misc]


def test_badges_no_tracking_and_changed_rows_get_their_colours() -> None:
    rows = [
        (1, "Delivered", "SBX1", BadgeColor.GREEN),
        (2, NO_TRACKING, NO_TRACKING, BadgeColor.GRAY),
        (3, "Exception: delayed", "SBX3", BadgeColor.RED),
        (4, NO_TRACKING, NO_TRACKING, BadgeColor.GRAY),
    ]
    frame = pd.DataFrame(
        [{**dict.fromkeys(COLUMNS, "x"), "status": status, "tracking": tracking, "_badge": badge.value}
         for _, status, tracking, badge in rows],
        index=pd.Index([order_id for order_id, *_ in rows], name="id"),
        columns=[*COLUMNS, "_badge"],
    )  # fmt: skip
    styler = styled(frame, {3, 4})
    styler._compute()
    columns = list(frame.columns)
    status, tracking, customer = (columns.index(name) for name in ("status", "tracking", "customer"))
    cell = {key: list(value) for key, value in styler.ctx.items()}
    for row, (_, _, _, badge) in enumerate(rows):
        assert cell[(row, status)] == css(BADGE_STYLE[badge])
    assert (0, customer) not in cell and (0, tracking) not in cell  # unchanged, tracked: plain
    assert cell[(1, tracking)] == css(NO_TRACKING_STYLE)
    assert cell[(2, customer)] == cell[(2, tracking)] == css(CHANGED_STYLE)
    assert cell[(3, tracking)] == css(f"{CHANGED_STYLE}; {NO_TRACKING_STYLE}")
    assert all(cell[(2, column)] == css(CHANGED_STYLE) for column in range(len(columns)) if column != status)
