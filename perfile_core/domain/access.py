"""Who may do what: roles, their permissions, the acting person or system, and the e-mail mapping.

Every write service takes an `Actor` and calls `require(actor, permission)` before it touches
anything, so a hidden button is never the only guard. People are admin, operator or analyst;
webhooks, the poller and demo data act as a system actor that is not a person and may only do
what those paths do. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from perfile_core.domain.errors import PerfileError, ValidationError


class Permission(StrEnum):
    READ = "read"
    EXPORT = "export"
    CREATE_ORDERS = "create orders"
    EDIT_ORDERS = "edit orders"
    DELETE_ORDERS = "delete orders"
    RESTORE_ORDERS = "restore orders"
    ATTACH_TRACKING = "attach tracking numbers"
    BOOK = "book shipments"
    CANCEL = "cancel bookings"
    NOTIFY = "notify customers"
    CLAIM = "file claims"
    MARK_SEEN = "mark orders seen"
    MANAGE_STORES = "manage stores"
    MANAGE_COURIERS = "manage couriers"
    MANAGE_SECRETS = "manage secrets"


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    ANALYST = "analyst"
    SYSTEM = "system"  # webhooks, poller, demo data: not a person


_ANALYST = frozenset({Permission.READ, Permission.EXPORT})
_OPERATOR = _ANALYST | {
    Permission.CREATE_ORDERS,
    Permission.EDIT_ORDERS,
    Permission.DELETE_ORDERS,
    Permission.RESTORE_ORDERS,
    Permission.ATTACH_TRACKING,
    Permission.BOOK,
    Permission.CANCEL,
    Permission.NOTIFY,
    Permission.CLAIM,
    Permission.MARK_SEEN,
}
_ADMIN = _OPERATOR | {Permission.MANAGE_STORES, Permission.MANAGE_COURIERS, Permission.MANAGE_SECRETS}
# What webhooks do: create and update webshop orders, attach the tracking numbers they carry.
_SYSTEM = frozenset({Permission.READ, Permission.CREATE_ORDERS, Permission.EDIT_ORDERS, Permission.ATTACH_TRACKING})

PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.ADMIN: _ADMIN,
    Role.OPERATOR: frozenset(_OPERATOR),
    Role.ANALYST: _ANALYST,
    Role.SYSTEM: _SYSTEM,
}
PERSON_ROLES = (Role.ADMIN, Role.OPERATOR, Role.ANALYST)


class AccessDenied(PerfileError):
    """The acting person's role does not allow the action (or they have no role at all)."""

    code = "access_denied"


@dataclass(frozen=True)
class Actor:
    """Who acts: a person (name, e-mail, role) or a system source such as "webhook:shopify"."""

    name: str
    email: str | None
    role: Role

    @property
    def is_person(self) -> bool:
        return self.role is not Role.SYSTEM

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    @property
    def label(self) -> str:
        """How the audit trail names them: "Anna Berg" or the system source."""
        return self.name


def system_actor(source: str) -> Actor:
    """A system source ("webhook:shopify", "seed", "poller"): no person, only what webhooks do."""
    return Actor(name=source, email=None, role=Role.SYSTEM)


def require(actor: Actor, permission: Permission) -> None:
    """Raise AccessDenied unless the actor's role includes the permission."""
    if not isinstance(actor, Actor):
        raise AccessDenied(f"no acting user given for '{permission.value}'")
    if not actor.may(permission):
        who = actor.email or actor.name
        kind = f"role {actor.role.value}" if actor.is_person else "a system source"
        raise AccessDenied(f"{who} ({kind}) may not {permission.value}")


@dataclass(frozen=True)
class RoleMap:
    """Roles by e-mail address or by domain; an explicit address beats its domain."""

    addresses: Mapping[str, Role]
    domains: Mapping[str, Role]

    def role_for(self, email: str | None) -> Role | None:
        """The role of this e-mail address, or None (no access) when neither it nor its domain is listed."""
        if not email or "@" not in email:
            return None
        address = email.strip().lower()
        if address in self.addresses:
            return self.addresses[address]
        return self.domains.get(address.rsplit("@", 1)[1])


def _role(value: str, who: str) -> Role:
    try:
        role = Role(value.strip().lower())
    except ValueError:
        role = None
    if role not in PERSON_ROLES:
        raise ValidationError("roles", f"{who}: role must be one of admin, operator, analyst, not {value!r}")
    return role


def role_map(entries: Iterable[tuple[str, str]]) -> RoleMap:
    """From (address or domain, role) pairs: "anna@example.se" is an address, "example.se" or
    "@example.se" a whole domain."""
    addresses: dict[str, Role] = {}
    domains: dict[str, Role] = {}
    for who, value in entries:
        key = who.strip().lower()
        if not key or any(ch.isspace() for ch in key):
            raise ValidationError("roles", f"{who!r} is neither an e-mail address nor a domain")
        role = _role(value, key)
        if key.startswith("@"):
            domains[key[1:]] = role
        elif "@" in key:
            addresses[key] = role
        else:
            domains[key] = role
    return RoleMap(addresses=addresses, domains=domains)


def parse_roles(text: str) -> RoleMap:
    """PERFILE_ROLES: "anna@example.se=admin, example.se=operator, partner.no=analyst"."""
    pairs = []
    for item in text.split(","):
        if not item.strip():
            continue
        who, sep, value = item.partition("=")
        if not sep:
            raise ValidationError("roles", f"{item.strip()!r}: write address-or-domain=role")
        pairs.append((who, value))
    return role_map(pairs)
