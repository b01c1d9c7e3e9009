"""Build the PostNord adapter from its courier account."""

from __future__ import annotations

import requests

from perfile_core.config import Settings
from perfile_core.couriers.account import CourierAccount
from perfile_core.couriers.postnord.adapter import PostNordCourier
from perfile_core.couriers.postnord.client import PostNordClient
from perfile_core.couriers.postnord.settings import PostNordSettings


def from_account(account: CourierAccount, settings: Settings, session: requests.Session) -> PostNordCourier:
    courier_settings = PostNordSettings.from_account(
        account.api_key,
        account.base_url,
        account.settings,
        account.credentials,
        timeout=settings.courier_timeout_seconds,
        retries=settings.courier_retries,
    )
    secrets = account.webhook_secrets
    return PostNordCourier(PostNordClient(courier_settings, session), secrets)
