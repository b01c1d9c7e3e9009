"""Build the sandbox adapter from its (optional) courier account."""

from __future__ import annotations

import requests

from perfile_core.config import Settings
from perfile_core.couriers.sandbox.adapter import SandboxCourier
from perfile_core.couriers.sandbox.settings import SandboxSettings
from perfile_core.services.admin import CourierAccount


def from_account(account: CourierAccount | None, settings: Settings, session: requests.Session) -> SandboxCourier:
    if account is None:
        return SandboxCourier(SandboxSettings())
    secrets = tuple(s for s in (account.webhook_secret, account.webhook_secret_previous) if s)
    return SandboxCourier(SandboxSettings.from_account(account.settings, secrets))
