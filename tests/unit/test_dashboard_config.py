"""Dashboard settings in .streamlit/config.toml that the live table's speed depends on."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_does_not_force_a_full_garbage_collection_after_every_tick() -> None:
    # gc.collect() after each script run was ~100 ms of a ~25 ms live tick (bench/live_tick_bench.py).
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_no_deploy_button_for_operators() -> None:
    # Streamlit's "Deploy" button leads to a hosting sign-up; "viewer" leaves only the app's own menu.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "viewer"
