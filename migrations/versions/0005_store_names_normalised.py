"""stores: keys and shop domains stored trimmed and in lower case

Writes and lookups now normalise both (perfile_core.domain.store_names), so a row stored as
typed before (' Up-Shop.MyShopify.com ', 'Nordic-Coffee') would never be found again; this
brings such rows to the form lookups use. Two rows that would become the same value are not
merged: the upgrade stops, changes nothing and names them, for an operator to rename one.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from perfile_core.domain import store_names
from perfile_core.domain.errors import Conflict

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NORMALISE = {"key": store_names.store_key, "shop_domain": store_names.shop_domain}


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, key, shop_domain FROM stores ORDER BY id")).mappings().all()
    collisions = [
        f"{column} {', '.join(repr(value) for value in values)} would all become {normal!r}"
        for column, normalise in NORMALISE.items()
        for normal, values in _groups(rows, column, normalise).items()
        if len(values) > 1
    ]
    if collisions:
        raise Conflict(
            "stores: keys and shop domains are now compared without case or surrounding space, and "
            + "; ".join(collisions)
            + ". Rename or remove one store of each before migrating; nothing was changed."
        )
    for row in rows:
        key = store_names.store_key(row["key"])
        domain = store_names.shop_domain(row["shop_domain"] or "") or None
        if (key, domain) != (row["key"], row["shop_domain"]):
            conn.execute(
                sa.text("UPDATE stores SET key = :key, shop_domain = :domain WHERE id = :id"),
                {"key": key, "domain": domain, "id": row["id"]},
            )


def _groups(rows: Sequence[sa.RowMapping], column: str, normalise: Callable[[str], str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row[column] is not None and normalise(row[column]):
            groups[normalise(row[column])].append(row[column])
    return groups


def downgrade() -> None:
    pass  # the values as typed are not kept; normalised ones work with the older code too
