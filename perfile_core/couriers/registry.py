"""One lookup by courier code that every caller uses (booking, quotes, poller, receiver).

`build_registry` makes adapters from the courier accounts in the database: base URL,
credentials and settings come from there, timeouts and retries from Settings, and all
adapters share one injected `requests.Session`. The sandbox is always registered.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

import requests

from perfile_core.config import Settings
from perfile_core.couriers.account import CourierAccount
from perfile_core.couriers.base import CourierAdapter
from perfile_core.couriers.http import new_session
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.errors import NotFound

# code -> module whose `from_account(account, settings, session)` builds the adapter
ADAPTER_MODULES: dict[str, str] = {
    "sandbox": "perfile_core.couriers.sandbox.factory",
    "postnord": "perfile_core.couriers.postnord.factory",
    "bring": "perfile_core.couriers.bring.factory",
    "dhl": "perfile_core.couriers.dhl.factory",
}


class CourierRegistry:
    def __init__(self, adapters: Iterable[CourierAdapter] = ()) -> None:
        self._adapters: dict[str, CourierAdapter] = {}
        for adapter in adapters:
            self.register(adapter)

    def register(self, adapter: CourierAdapter) -> None:
        self._adapters[adapter.code] = adapter

    def get(self, code: str) -> CourierAdapter:
        adapter = self._adapters.get(code)
        if adapter is None:
            known = ", ".join(sorted(self._adapters)) or "none"
            name = COURIER_NAMES.get(code, code)
            raise NotFound(
                f"courier {name!r} is not configured for booking (configured: {known}); "
                f"add its account with `python -m perfile_core couriers configure`"
            )
        return adapter

    def __contains__(self, code: object) -> bool:
        return code in self._adapters

    def codes(self) -> list[str]:
        return sorted(self._adapters)

    def adapters(self) -> list[CourierAdapter]:
        return [self._adapters[code] for code in self.codes()]

    def with_capability(self, capability: str) -> list[CourierAdapter]:
        return [adapter for adapter in self.adapters() if adapter.supports(capability)]


def build_registry(
    accounts: Iterable[CourierAccount],
    settings: Settings,
    session: requests.Session | None = None,
) -> CourierRegistry:
    session = session or new_session()
    by_code = {account.code: account for account in accounts}
    registry = CourierRegistry()
    for code, module in ADAPTER_MODULES.items():
        account = by_code.get(code)
        if account is None and code != "sandbox":
            continue  # a real courier needs an account (credentials, base URL)
        if account is not None and not account.enabled:
            continue
        factory: Callable[..., CourierAdapter] = importlib.import_module(module).from_account
        registry.register(factory(account, settings, session))
    return registry
