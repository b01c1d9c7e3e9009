"""Build the sandbox adapter from its (optional) courier account."""

from __future__ import annotations

import requests

from perfile_core.config import Settings
from perfile_core.couriers.account import CourierAccount
from perfile_core.couriers.sandbox.adapter import SandboxCourier
from perfile_core.couriers.sandbox.settings import SandboxSettings


def from_account(account: CourierAccount | None, settings: Settings, session: requests.Session) -> SandboxCourier:
    if account is None:
        return SandboxCourier(SandboxSettings())
    secrets = account.webhook_secrets
    return SandboxCourier(SandboxSettings.from_account(account.settings, secrets))
