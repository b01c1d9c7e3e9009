"""The customer, delivery address and package inputs shared by New order and Edit order."""

from __future__ import annotations

from typing import Any

import streamlit as st

from perfile_core.domain.order import Order
from perfile_core.services.order_input import FIELD_LABELS
from ui.field_errors import blank_to_none, field_error

_TEXT = ("customer_name", "customer_email", "customer_phone", "address_line1", "address_line2", "postal_code", "city")
TEXT_FIELDS = {name: FIELD_LABELS[name] for name in _TEXT} | {"country_code": "Country (two letters)"}
NUMBER_FIELDS = {name: FIELD_LABELS[name] for name in ("weight_grams", "length_cm", "width_cm", "height_cm")}
ORDER_FIELDS = (*TEXT_FIELDS, *NUMBER_FIELDS)
_LAYOUT = (
    ("Customer", ("customer_name", "customer_email", "customer_phone")),
    ("Deliver to", ("address_line1", "address_line2", "postal_code", "city", "country_code")),
)


def order_inputs(key: str, state: dict[str, Any], order: Order | None = None, **defaults: Any) -> dict[str, Any]:
    """Render the inputs (prefilled from `order` or `defaults`) and return what they hold now."""
    values: dict[str, Any] = {}
    for heading, names in _LAYOUT:
        st.markdown(f"**{heading}**")
        columns = st.columns(len(names) if len(names) < 4 else 3)
        for index, name in enumerate(names):
            with columns[index % len(columns)]:
                current = getattr(order, name, None) if order else defaults.get(name)
                values[name] = st.text_input(TEXT_FIELDS[name], value=current or "", key=f"{key}_{name}")
                field_error(state, name)
    st.markdown("**Package**")
    columns = st.columns(len(NUMBER_FIELDS))
    for column, (name, label) in zip(columns, NUMBER_FIELDS.items(), strict=True):
        with column:
            current = getattr(order, name, None) if order else defaults.get(name)
            values[name] = st.number_input(label, value=current, step=1, key=f"{key}_{name}")
            field_error(state, name)
    return {name: blank_to_none(value) for name, value in values.items()}
