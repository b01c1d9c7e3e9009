"""Domain exceptions: one small hierarchy, mapped to HTTP codes in the receiver and to
messages in the dashboard."""

from __future__ import annotations


class PerfileError(Exception):
    """Base of every error the core raises on purpose."""

    code = "error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationError(PerfileError):
    """Input that breaks a rule; names each field and says why."""

    code = "validation_error"

    def __init__(self, field: str, reason: str, *, more: list[tuple[str, str]] | None = None) -> None:
        self.errors: list[tuple[str, str]] = [(field, reason), *(more or [])]
        super().__init__("; ".join(f"{name}: {why}" for name, why in self.errors))
        self.field = field
        self.reason = reason


class NotFound(PerfileError):
    code = "not_found"


class Conflict(PerfileError):
    """The request is valid but the current state forbids it (e.g. booking a booked order)."""

    code = "conflict"


class NotSupported(PerfileError):
    """A courier lacks a capability (e.g. PostNord has no cancel API)."""

    code = "not_supported"


class CourierError(PerfileError):
    """A courier answered with an error, timed out or sent something we cannot read."""

    code = "courier_error"

    def __init__(self, courier: str, detail: str, *, retryable: bool = False) -> None:
        super().__init__(f"{courier}: {detail}")
        self.courier = courier
        self.retryable = retryable


class SignatureError(PerfileError):
    code = "invalid_signature"


class PayloadError(PerfileError):
    """A webhook body that is not JSON, not an object, or violates the schema."""

    code = "invalid_payload"


class StorageUnavailable(PerfileError):
    """The database cannot be reached; callers should retry later."""

    code = "storage_unavailable"


class SecretKeyError(StorageUnavailable):
    """Stored secrets cannot be read with the configured key(s), or a key is malformed.

    Like an outage (503 + Retry-After in the receiver): senders retry once the key is fixed."""

    code = "secret_key_unusable"


# -- webhook deliveries (receiver): finer codes under the same HTTP classes ------------


class MissingSignature(SignatureError):
    code = "missing_signature"


class StaleTimestamp(SignatureError):
    """A Standard Webhooks timestamp outside the tolerance (replay protection)."""

    code = "stale_timestamp"


class UnknownSource(SignatureError):
    """No store or courier secret to verify with: we cannot tell who is calling."""

    code = "unknown_source"


class UnknownCourier(NotFound):
    code = "unknown_courier"
