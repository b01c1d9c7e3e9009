"""Who the CLI acts as: a named local admin (whoever runs it has the database and key anyway)."""

from __future__ import annotations

from perfile_core.config import Settings, os_user
from perfile_core.domain.access import Actor, Role


def cli_actor(settings: Settings, name: str | None = None) -> Actor:
    """`name` (e.g. --actor), else PERFILE_LOCAL_USER, else "cli:<OS user>"; always role admin."""
    chosen = (name or "").strip() or settings.local_user.strip() or f"cli:{os_user()}"
    return Actor(name=chosen, email=settings.local_user_email.strip() or None, role=Role.ADMIN)
