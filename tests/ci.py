"""Whether the suite runs in CI, where every test must run: a missing service fails there
instead of skipping. The one place that reads the `CI` variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NoReturn

import pytest


def running_in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """Any non-empty `CI` counts: runners set `true`, `1` or their own name, and an inherited
    value must never turn failures into silent skips (so even `false` counts: failing is safe)."""
    environ = os.environ if environ is None else environ
    return bool(environ.get("CI", "").strip())


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose service or program is missing here; fail it in CI."""
    if running_in_ci():
        pytest.fail(f"{reason}: CI must run every test")
    pytest.skip(reason)
