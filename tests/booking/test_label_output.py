"""`label ORDER --output PATH` through the real CLI: no writing through symlinks, no silent
overwrite, a clear message for a missing folder."""

from __future__ import annotations

import os
import stat

import pytest

from perfile_core.db.orders_repo import get_order
from tests.booking.labels import barcodes
from tests.booking.test_cli import _run


@pytest.fixture
def booked(db, db_url, make_order) -> tuple[str, str]:
    """(order number, tracking number) of an order booked with the sandbox courier."""
    order_id = make_order()
    with db.connect() as conn:
        number = get_order(conn, order_id).order_number
    result = _run(db_url, "book", number, "--courier", "sandbox", "--service", "home")
    assert result.returncode == 0, result.stderr
    with db.connect() as conn:
        return number, get_order(conn, order_id).tracking_number


@pytest.fixture
def folder(tmp_path):
    """A folder of its own (tmp_path also holds the SQLite database)."""
    path = tmp_path / "labels"
    path.mkdir()
    return path


def _label(db_url, number, *args):
    result = _run(db_url, "label", number, *args)
    return result.returncode, result.stderr.decode()


def test_label_output_never_writes_through_a_symlink(db_url, booked, folder):
    number, _ = booked
    victim = folder / "victim.txt"
    victim.write_text("precious")
    (folder / "label.pdf").symlink_to(victim)
    (folder / "dangling.pdf").symlink_to(folder / "created-through-link.pdf")

    for name in ("label.pdf", "dangling.pdf"):
        for force in ([], ["--force"]):
            code, err = _label(db_url, number, "--output", str(folder / name), *force)
            assert code == 2 and "is a symbolic link" in err and "Traceback" not in err, err

    assert victim.read_text() == "precious"
    assert not (folder / "created-through-link.pdf").exists()
    assert (folder / "label.pdf").is_symlink() and (folder / "dangling.pdf").is_symlink()


def test_label_output_replaces_a_file_only_with_force(db_url, booked, folder):
    number, tracking_number = booked
    target = folder / "label.pdf"
    target.write_text("yesterday's label")

    code, err = _label(db_url, number, "--output", str(target))
    assert code == 2 and f"{target} exists; add --force to replace it" in err
    assert target.read_text() == "yesterday's label"

    code, err = _label(db_url, number, "--output", str(target), "--force")
    assert code == 0, err
    assert barcodes(target.read_bytes()) == [tracking_number]
    assert sorted(p.name for p in folder.iterdir()) == ["label.pdf"]  # no temporary file left


def test_label_output_to_a_new_file_and_a_missing_folder(db_url, booked, folder):
    number, tracking_number = booked
    fresh = folder / "new.pdf"

    code, err = _label(db_url, number, "--output", str(fresh))
    assert code == 0, err
    assert barcodes(fresh.read_bytes()) == [tracking_number]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # as any new file, not mkstemp's 0600

    missing = folder / "no-such-folder" / "label.pdf"
    code, err = _label(db_url, number, "--output", str(missing))
    assert code == 2 and f"folder {missing.parent} does not exist" in err and "Traceback" not in err

    code, err = _label(db_url, number, "--output", str(folder), "--force")
    assert code == 2 and "is not a regular file" in err
