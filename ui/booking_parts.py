"""Pieces the booking dialogs share: a courier's mark, one quote row, label download and print."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from perfile_core.domain.couriers import DELIVERY_TYPE_NAMES, courier_colour, courier_display_name
from perfile_core.services.quotes import CHEAPEST, FASTEST, MOST_RELIABLE, QuoteOption
from ui.safe_text import md

MARK_BADGES = {
    CHEAPEST: ("Cheapest", "green"),
    FASTEST: ("Fastest", "blue"),
    MOST_RELIABLE: ("Most reliable", "violet"),
}


def courier_mark(courier: str) -> None:
    """The courier's brand colour and initials as a small SVG built from our own fixed data."""
    name = courier_display_name(courier)
    initials = "".join(word[0] for word in name.split()[:2]).upper() or "?"
    initials = "".join(ch for ch in initials if ch.isalnum())  # our facts, but never markup
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="56" height="32" viewBox="0 0 56 32">'
        f'<rect width="56" height="32" rx="6" fill="{courier_colour(courier)}"/>'
        '<text x="28" y="21" font-family="sans-serif" font-size="14" font-weight="700" '
        f'fill="#ffffff" text-anchor="middle">{initials}</text></svg>'
    )
    st.image(svg, width=56)


def quote_row(option: QuoteOption, marks: list[str], *, on_choose: Callable[..., None], args: tuple[Any, ...]) -> None:
    quote, history = option.quote, option.performance
    with st.container(border=True):
        mark, what, price, eta, rate, choose = st.columns([1, 3, 1.3, 1.6, 1.6, 1.2], vertical_alignment="center")
        with mark:
            courier_mark(quote.courier)
        what.markdown(
            f"**{md(courier_display_name(quote.courier))}** · {md(quote.service_name)}  \n"
            f"{md(DELIVERY_TYPE_NAMES.get(quote.delivery_type, quote.delivery_type))}"
        )
        badges = " ".join(f":{colour}-badge[{text}]" for text, colour in (MARK_BADGES[m] for m in marks))
        if badges:
            what.markdown(badges)
        price.markdown(f"**{quote.price:,.2f}** {md(quote.currency)}")
        when = f"{quote.estimated_delivery:%a %d %b}" if quote.estimated_delivery else "not given"
        eta.markdown(f"ETA {when}")
        if history.on_time_rate is None:
            rate.markdown("On time: no history")
        else:
            rate.markdown(f"On time: **{history.on_time_rate:.0%}**  \n{history.delivered:,} delivered")
        choose.button(
            "Choose", key=f"book_choose_{option.key.replace(':', '_')}", on_click=on_choose, args=args, type="primary"
        )


def unavailable_row(courier: str, reason: str) -> None:
    """A courier that could not quote stays in the list, with its reason."""
    with st.container(border=True):
        mark, text = st.columns([1, 8.7], vertical_alignment="center")
        with mark:
            courier_mark(courier)
        text.warning(f"**{md(courier_display_name(courier))}** cannot quote: {md(reason)}", icon="⚠️")
