"""Build the Bring adapter from its courier account."""

from __future__ import annotations

import requests

from perfile_core.config import Settings
from perfile_core.couriers.account import CourierAccount
from perfile_core.couriers.bring.adapter import BringCourier
from perfile_core.couriers.bring.client import BringClient
from perfile_core.couriers.bring.settings import BringSettings


def from_account(account: CourierAccount, settings: Settings, session: requests.Session) -> BringCourier:
    courier_settings = BringSettings.from_account(
        account.api_key,
        account.base_url,
        account.settings,
        account.credentials,
        timeout=settings.courier_timeout_seconds,
        retries=settings.courier_retries,
    )
    secrets = account.webhook_secrets
    return BringCourier(BringClient(courier_settings, session), secrets)
