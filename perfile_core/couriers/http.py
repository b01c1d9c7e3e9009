"""The HTTP plumbing every courier client shares: timeouts, bounded retries on idempotent
calls only, and courier failures turned into CourierError messages an operator can act on.

Each courier folder has its own `client.py` that builds URLs and auth and calls `send`.
The `requests.Session` is injected, so tests point a client at a real local server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.errors import CourierError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ERROR_TEXT = 300


@dataclass
class CourierHttp:
    courier: str
    session: requests.Session
    base_url: str
    timeout: float = 10.0
    retries: int = 2  # extra tries for idempotent calls only
    backoff: float = 0.2

    @property
    def name(self) -> str:
        return courier_display_name(self.courier)

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def send(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        idempotent: bool,
        error_text: Callable[[Any], str | None] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One call; retried (bounded) only when repeating it cannot create anything twice."""
        attempts = 1 + (self.retries if idempotent else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self.session.request(method, self.url(path), timeout=self.timeout, **kwargs)
            except requests.Timeout:
                if last:
                    raise self._timeout(operation, idempotent) from None
            except requests.ConnectionError as exc:
                if last:
                    raise CourierError(
                        self.courier,
                        f"could not reach {self.name} for the {operation} ({type(exc).__name__}). "
                        f"Nothing was sent; try again in a few minutes.",
                        retryable=True,
                    ) from None
            else:
                if response.status_code < 400:
                    return response
                if response.status_code not in RETRY_STATUSES or last or not idempotent:
                    raise self._http_error(response, operation, error_text)
            time.sleep(self.backoff * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def json(self, response: requests.Response, operation: str) -> Any:
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError):
            raise self.unreadable(operation, "its answer is not JSON") from None

    def unreadable(self, operation: str, why: str) -> CourierError:
        hint = (
            f"{self.name} may have created the shipment anyway: check the {self.name} portal before booking again."
            if operation == "booking"
            else "Try again later; if it persists, tell the developers."
        )
        return CourierError(self.courier, f"could not read {self.name}'s {operation} answer: {why}. {hint}")

    def _timeout(self, operation: str, idempotent: bool) -> CourierError:
        detail = f"{self.name} did not answer the {operation} within {self.timeout:g} s."
        if not idempotent:
            detail += (
                f" The order was not changed, but {self.name} may have created the shipment: "
                f"check the {self.name} portal before booking again."
            )
        else:
            detail += " Try again in a few minutes."
        return CourierError(self.courier, detail, retryable=True)

    def _http_error(
        self, response: requests.Response, operation: str, error_text: Callable[[Any], str | None] | None
    ) -> CourierError:
        status = response.status_code
        message = _error_message(response, error_text)
        if status >= 500:
            return CourierError(
                self.courier,
                f"{self.name} had an internal error during the {operation} (HTTP {status}). "
                f"Nothing was changed here; try again in a few minutes.",
                retryable=True,
            )
        if status in (401, 403):
            return CourierError(
                self.courier,
                f"{self.name} refused our credentials (HTTP {status}){': ' + message if message else ''}. "
                f"Check the API key in the courier settings.",
            )
        if status == 429:
            return CourierError(
                self.courier,
                f"{self.name} is rate limiting us (HTTP 429); wait a minute and try again.",
                retryable=True,
            )
        return CourierError(
            self.courier,
            f"{self.name} rejected the {operation} (HTTP {status}): {message or 'no reason given'}. "
            f"Correct the order (address, weight, service) and try again.",
        )


def _error_message(response: requests.Response, error_text: Callable[[Any], str | None] | None) -> str:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:MAX_ERROR_TEXT] if text and "<html" not in text.lower() else ""
    found = error_text(body) if error_text else None
    return (found or _generic_error(body) or "")[:MAX_ERROR_TEXT]


def _generic_error(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("message", "detail", "error", "title", "errorMessage"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def new_session(user_agent: str = "Perfile/0.1") -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    return session
