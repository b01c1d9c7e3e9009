"""Signature checks over raw bytes, constant time, against every active secret (rotation)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from perfile_core.domain.errors import MissingSignature, SignatureError


def hmac_sha256_base64(secret: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()


def verify_base64_hmac(header: str | None, body: bytes, secrets: Iterable[bytes], *, name: str) -> None:
    """Shopify and WooCommerce style: header = base64(HMAC-SHA256(secret, raw body))."""
    if not header:
        raise MissingSignature(f"{name} header is missing")
    given = header.strip().encode()
    for secret in secrets:
        if hmac.compare_digest(hmac_sha256_base64(secret, body).encode(), given):
            return
    raise SignatureError(f"{name} does not match the raw body for any active secret")


def verify_shared_secret(header: str | None, secrets: Iterable[str], *, name: str) -> None:
    """A configured secret header (Bring Event Cast has no signatures of its own)."""
    if not header:
        raise MissingSignature(f"{name} header is missing")
    given = header.strip().encode()
    for secret in secrets:
        if hmac.compare_digest(secret.encode(), given):
            return
    raise SignatureError(f"{name} does not match the configured secret")
