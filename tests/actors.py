"""Acting people for tests: every write service takes an Actor (perfile_core/domain/access.py)."""

from __future__ import annotations

from perfile_core.domain.access import Actor, Role

ADMIN = Actor("Test Admin", "admin@perfile.test", Role.ADMIN)
OPERATOR = Actor("Test Operator", "operator@perfile.test", Role.OPERATOR)
ANALYST = Actor("Test Analyst", "analyst@perfile.test", Role.ANALYST)


def person(name: str, role: Role = Role.ADMIN) -> Actor:
    """A named person without an e-mail address (the audit names them as the old string actors)."""
    return Actor(name=name, email=None, role=role)
