"""The built-in sandbox courier: offline, deterministic, real labels and tracking numbers."""

from perfile_core.couriers.sandbox.adapter import SandboxCourier
from perfile_core.couriers.sandbox.settings import SandboxSettings

__all__ = ["SandboxCourier", "SandboxSettings"]
