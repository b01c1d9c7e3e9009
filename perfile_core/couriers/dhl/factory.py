"""Build the DHL adapter from its courier account."""

from __future__ import annotations

import requests

from perfile_core.config import Settings
from perfile_core.couriers.account import CourierAccount
from perfile_core.couriers.dhl.adapter import DhlCourier
from perfile_core.couriers.dhl.client import DhlClient
from perfile_core.couriers.dhl.settings import DEFAULT_BASE_URL, DhlSettings


def from_account(account: CourierAccount, settings: Settings, session: requests.Session) -> DhlCourier:
    dhl = DhlSettings(
        api_key=account.api_key or "",
        base_url=account.base_url or DEFAULT_BASE_URL,
        timeout=settings.courier_timeout_seconds,
        retries=settings.courier_retries,
    )
    secrets = account.webhook_secrets
    return DhlCourier(DhlClient(dhl, session), secrets)
