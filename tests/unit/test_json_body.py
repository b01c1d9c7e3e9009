"""The one webhook JSON loader: what it refuses, and what it makes storable."""

from __future__ import annotations

import pytest

from perfile_core.couriers.formats.json_body import MAX_DEPTH, parse_json_object, storable_text
from perfile_core.domain.errors import PayloadError


def test_unstorable_text_is_replaced_in_values_and_keys_at_any_depth() -> None:
    body = b'{"a\\u0000": [{"b": "x\\udc80y"}, "\\ud800"], "ok": "\\ud83d\\ude00 caf\\u00e9"}'
    assert parse_json_object(body) == {"a\ufffd": [{"b": "x\ufffdy"}, "\ufffd"], "ok": "\U0001f600 café"}


def test_a_surrogate_written_as_raw_bytes_is_replaced_like_an_escaped_one() -> None:
    # json.loads(bytes) decodes with surrogatepass, so UTF-8-encoded surrogates arrive as text too.
    assert parse_json_object(b'{"city": "Sol\xed\xb2\x80na"}') == {"city": "Sol\ufffdna"}


def test_utf16_bodies_still_parse_as_json_loads_would() -> None:
    assert parse_json_object('{"city": "Solna"}'.encode("utf-16")) == {"city": "Solna"}


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_numbers_are_refused_with_their_path(literal: str) -> None:
    with pytest.raises(PayloadError, match=r"^data\.items\.1: not a finite number"):
        parse_json_object(f'{{"data": {{"items": [1, {literal}]}}}}'.encode())


def test_depth_counts_the_body_as_level_one() -> None:
    assert parse_json_object(b'{"a":' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}")
    with pytest.raises(PayloadError, match="nests deeper than 64 levels"):
        parse_json_object(b'{"a":' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}")


def test_storable_text_keeps_valid_text_and_control_characters() -> None:
    assert storable_text("Tab\there, bell \x07, emoji \U0001f4e6") == "Tab\there, bell \x07, emoji \U0001f4e6"
    assert storable_text("\x00\udc80") == "\ufffd\ufffd"
