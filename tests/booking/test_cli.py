"""The booking commands through the real CLI, as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys

from perfile_core.config import PROJECT_ROOT
from perfile_core.db.orders_repo import get_order
from tests.booking.labels import barcodes


def _run(db_url: str, *args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {**os.environ, "PERFILE_DATABASE_URL": db_url, "PERFILE_SMTP_HOST": ""}
    return subprocess.run(
        [sys.executable, "-m", "perfile_core", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )


def test_book_label_quote_from_the_command_line(db, db_url, make_order, tmp_path):
    order_id = make_order()
    with db.connect() as conn:
        number = get_order(conn, order_id).order_number

    quoted = _run(db_url, "quote", number)
    assert quoted.returncode == 0, quoted.stderr
    assert "sandbox" in quoted.stdout.decode() and "Region SE-41" in quoted.stdout.decode()

    booked = _run(db_url, "book", number, "--courier", "sandbox", "--service", "home")
    assert booked.returncode == 0, booked.stderr
    with db.connect() as conn:
        order = get_order(conn, order_id)
    assert order.tracking_number in booked.stdout.decode()

    pdf = tmp_path / "label.pdf"
    with pdf.open("wb") as out:  # `python -m perfile_core label ORDER > label.pdf`
        assert _run(db_url, "label", number, stdout=out).returncode == 0
    assert barcodes(pdf.read_bytes()) == [order.tracking_number]

    again = _run(db_url, "book", number, "--courier", "postnord", "--service", "19")
    assert again.returncode == 2 and b"not configured for booking" in again.stderr
    outbox = _run(db_url, "send-notifications")
    assert b"1 messages stay in the outbox" in outbox.stdout
