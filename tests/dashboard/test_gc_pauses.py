"""Full garbage collections stay out of the live tick: a full run that loaded modules freezes what
is alive (ui/gc_pauses.py), so the collector's full scans skip the libraries and the app."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import serve_demo_orders
from ui import gc_pauses

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process as if nothing were frozen yet."""
    gc.unfreeze()
    monkeypatch.setattr(gc_pauses, "_modules_frozen", 0)
    yield
    gc.unfreeze()


def test_only_a_run_that_loaded_modules_collects_and_freezes(unfrozen: None, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert gc_pauses.freeze_loaded_modules()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # pytest, Streamlit, pandas... everything loaded so far
    assert gc.collect() < 1_000 and not gc_pauses.freeze_loaded_modules()  # nothing new: nothing to do
    assert gc.get_freeze_count() == frozen

    # What the collector still scans in full is what was made since, not the libraries.
    assert len(gc.get_objects()) < frozen / 10

    # A run that loaded a module (a page's first visit) freezes again, the new module with it.
    (tmp_path / "freshly_loaded.py").write_text("TABLE = {'a': [1, 2, 3]}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        __import__("freshly_loaded")
        assert gc_pauses.freeze_loaded_modules()
        assert gc.get_freeze_count() > frozen
    finally:
        del sys.modules["freshly_loaded"]


def test_the_dashboard_freezes_after_its_first_full_run(unfrozen: None, sqlite_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    serving = serve_demo_orders(sqlite_url, monkeypatch, orders=5)
    next(serving)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert gc.get_freeze_count() > 10_000
    assert gc_pauses._modules_frozen == len(sys.modules)
    next(serving, None)
