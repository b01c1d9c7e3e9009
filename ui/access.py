"""Who is using the dashboard: the logged-in person (Streamlit's OIDC login) with their role, or,
without an [auth] section in .streamlit/secrets.toml, the named local user (local mode).

Roles come from PERFILE_ROLES and the [roles] secrets section (an address beats its domain). The
dashboard hides or disables what a role may not do, but the core checks every write again
(`perfile_core.domain.access.require`): this module only says who is asking.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from perfile_core.domain.access import AccessDenied, Actor, Permission
from ui.context import perfile


def _section(name: str) -> Mapping[str, Any]:
    """A secrets.toml section, or {} when there is no secrets file or no such section."""
    if not st.secrets.load_if_toml_exists():
        return {}
    value = st.secrets.get(name)
    return value if isinstance(value, Mapping) else {}


def login_configured() -> bool:
    """True when [auth] is set up: every page then needs a login (production)."""
    return bool(_section("auth"))


def logged_in() -> bool:
    return bool(st.user.to_dict().get("is_logged_in"))


def user_email() -> str:
    return str(st.user.to_dict().get("email") or "")


def current_actor() -> Actor | None:
    """The acting person; None when logged out or when their address has no role."""
    settings = perfile().settings
    if not login_configured():
        return settings.local_actor()
    if not logged_in():
        return None
    info = st.user.to_dict()
    email = user_email().strip().lower()
    roles = {str(who): str(role) for who, role in _section("roles").items()}
    role = settings.role_map(roles).role_for(email)
    if role is None:
        return None
    return Actor(name=str(info.get("name") or email), email=email, role=role)


def actor() -> Actor:
    """The acting person for a write; the core refuses with the same error if it were bypassed."""
    who = current_actor()
    if who is None:
        raise AccessDenied("log in with an address that has a role to change anything")
    return who


def may(permission: Permission) -> bool:
    who = current_actor()
    return who is not None and who.may(permission)


# The dialogs that write, by name (ui/dialogs.py), and what each needs.
DIALOG_PERMISSIONS: Mapping[str, Permission] = {
    "book": Permission.BOOK,
    "bulk_book": Permission.BOOK,
    "notify": Permission.NOTIFY,
    "claim": Permission.CLAIM,
    "edit": Permission.EDIT_ORDERS,
    "cancel": Permission.CANCEL,
    "delete": Permission.DELETE_ORDERS,
    "new_order": Permission.CREATE_ORDERS,
}


def may_open(dialog: str) -> bool:
    """Whether the acting person may use this dialog (read-only dialogs: anyone with a role)."""
    needed = DIALOG_PERMISSIONS.get(dialog, Permission.READ)
    return may(needed)


def refusal(permission: Permission) -> str:
    """The tooltip of a button the role may not use."""
    who = current_actor()
    role = who.role.value if who else "none"
    return f"Your role ({role}) may not {permission.value}; ask an admin."
