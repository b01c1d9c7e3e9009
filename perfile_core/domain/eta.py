"""The ETA countdown: how far the promised delivery day is, in the words the dashboard shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EtaCountdown:
    """Calendar days from today (at the delivery address) to the promised day; negative when late."""

    days: int

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def text(self) -> str:
        if self.days == 0:
            return "today"
        if self.days == 1:
            return "tomorrow"
        if self.days > 1:
            return f"in {self.days} days"
        late = -self.days
        return f"{late} day{'s' if late > 1 else ''} late"
