"""Order exports for spreadsheets: CSV whose text cells cannot run as formulas.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula, so a customer named `=HYPERLINK(...)` would become a
live link or a command. Such text cells get a leading `'` (OWASP's advice), which the
spreadsheet shows as text. Numbers stay numbers: a negative number is a value, not a
formula, and quoting it would turn it into text. JSON exports are data and stay verbatim.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a CSV cell: text that a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[Mapping[str, Any]], fieldnames: Sequence[str], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=list(fieldnames))
    writer.writeheader()
    for row in rows:
        writer.writerow({name: spreadsheet_safe(value) for name, value in row.items()})
