"""What the login browser tests set up alike: a demo database with one named order, and a
Streamlit secrets file with an [auth] section for the test provider and a [roles] section."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from perfile_core.db.engine import make_engine
from perfile_core.db.orders_repo import get_order
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN
from tests.booking.conftest import order_factory
from tests.browser.oidc_provider import Client, Provider


def seeded_order(database_url: str, customer: str) -> tuple[int, str]:
    """Six demo orders and one for `customer`: its id and order number."""
    engine = make_engine(database_url)
    seed_demo(engine, orders_count=6, seed=12, actor=ADMIN)
    order_id = order_factory(engine)(customer_name=customer)
    with engine.connect() as conn:
        number = get_order(conn, order_id).order_number
    engine.dispose()
    return order_id, number


def auth_secrets_file(directory: Path, client: Client, provider: Provider, roles: Mapping[str, str]) -> Path:
    """A secrets file (outside the repository) for `--secrets.files`: login with `provider`, roles by
    address or domain."""
    role_lines = "\n".join(f'"{who}" = "{role}"' for who, role in roles.items())
    path = directory / "secrets" / "secrets.toml"
    path.parent.mkdir(parents=True)
    path.write_text(f"""[auth]
redirect_uri = "{client.redirect_uri}"
cookie_secret = "{secrets.token_urlsafe(48)}"
client_id = "{client.client_id}"
client_secret = "{client.client_secret}"
server_metadata_url = "{provider.metadata_url}"

[roles]
{role_lines}
""")
    return path
