"""Build the DHL adapter from its courier account."""

from __future__ import annotations

import requests

from perfile_core.config import Settings
from perfile_core.couriers.dhl.adapter import DhlCourier
from perfile_core.couriers.dhl.client import DhlClient
from perfile_core.couriers.dhl.settings import DEFAULT_BASE_URL, DhlSettings
from perfile_core.services.admin import CourierAccount


def from_account(account: CourierAccount, settings: Settings, session: requests.Session) -> DhlCourier:
    dhl = DhlSettings(
        api_key=account.api_key or "",
        base_url=account.base_url or DEFAULT_BASE_URL,
        timeout=settings.courier_timeout_seconds,
        retries=settings.courier_retries,
    )
    secrets = tuple(s for s in (account.webhook_secret, account.webhook_secret_previous) if s)
    return DhlCourier(DhlClient(dhl, session), secrets)
