"""Postal codes are checked per country (the booking dialog's details step)."""

from __future__ import annotations

import pytest

from perfile_core.domain.postal_codes import postal_code_problem


@pytest.mark.parametrize(
    ("country", "code"),
    [
        ("SE", "114 55"),
        ("SE", "11455"),
        ("NO", "0150"),
        ("DK", "2100"),
        ("FI", "00100"),
        ("NL", "1012 ab"),
        ("GB", "SW1A 1AA"),
        ("se", "41103"),
    ],
)
def test_valid_codes(country, code):
    assert postal_code_problem(country, code) is None


@pytest.mark.parametrize(
    ("country", "code", "message"),
    [
        ("SE", "4110", "5 digits"),
        ("SE", "ABCDE", "5 digits"),
        ("NO", "01500", "4 digits"),
        ("DK", "", "enter the postal code"),
        ("GB", "<script>", "letters, digits"),
    ],
)
def test_invalid_codes_say_what_the_country_expects(country, code, message):
    assert message in postal_code_problem(country, code)
