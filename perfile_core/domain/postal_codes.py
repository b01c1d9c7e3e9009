"""Postal code formats per country, for the countries we ship to most; others get a loose check."""

from __future__ import annotations

import re

# country -> (pattern on the code with spaces removed, how to write it)
POSTAL_CODE_FORMATS: dict[str, tuple[str, str]] = {
    "SE": (r"\d{5}", "5 digits, e.g. 114 55"),
    "NO": (r"\d{4}", "4 digits, e.g. 0150"),
    "DK": (r"\d{4}", "4 digits, e.g. 2100"),
    "FI": (r"\d{5}", "5 digits, e.g. 00100"),
    "IS": (r"\d{3}", "3 digits, e.g. 101"),
    "DE": (r"\d{5}", "5 digits, e.g. 10115"),
    "NL": (r"\d{4}[A-Z]{2}", "4 digits and 2 letters, e.g. 1012 AB"),
    "PL": (r"\d{2}-?\d{3}", "5 digits, e.g. 00-950"),
}
_LOOSE = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,9}")


def postal_code_problem(country_code: str | None, postal_code: str | None) -> str | None:
    """Why this postal code cannot be right for this country, or None when it can."""
    code = (postal_code or "").strip().upper()
    if not code:
        return "enter the postal code"
    known = POSTAL_CODE_FORMATS.get((country_code or "").strip().upper())
    if known is None:
        return None if _LOOSE.fullmatch(code) else "use 2-10 letters, digits, spaces or dashes"
    pattern, example = known
    if re.fullmatch(pattern, code.replace(" ", "")):
        return None
    return f"a postal code in {country_code.upper()} has {example}"  # type: ignore[union-attr]
