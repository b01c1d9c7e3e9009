"""One typed settings object, read from PERFILE_* environment variables."""

from __future__ import annotations

import getpass
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from perfile_core.domain.access import Actor, Role, RoleMap, parse_roles

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'perfile.db'}"
DEFAULT_SECRET_KEY_FILE = PROJECT_ROOT / "var" / "secret.key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PERFILE_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_SQLITE_URL,
        description="SQLAlchemy URL; postgresql+psycopg://... in production, SQLite file by default.",
    )
    receiver_url: str = Field(default="http://127.0.0.1:8000", description="Where the webhook receiver listens.")
    dashboard_refresh_seconds: float = Field(default=3.0, ge=0.5, le=300)
    dashboard_allow_remote_without_login: bool = Field(
        default=False,
        description="Local mode (no login) serves loopback only unless this deliberately allows other addresses.",
    )
    display_timezone: str = Field(
        default="Europe/Stockholm", description="Times on screen are shown in this zone; storage is UTC."
    )
    # SMTP: empty host means messages go to the outbox table (embedded default).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_sender: str = "Perfile <noreply@perfile.local>"
    smtp_timeout_seconds: float = 10.0
    courier_timeout_seconds: float = 10.0
    courier_retries: int = Field(default=2, ge=0, le=5)
    notify_on_statuses: str = Field(
        default="out_for_delivery,ready_for_pickup,delivered,exception",
        description="Comma-separated statuses that trigger a customer e-mail.",
    )
    webhook_max_body_bytes: int = 1024 * 1024
    webhook_timestamp_tolerance_seconds: int = 300
    webhook_statement_timeout_ms: int = Field(
        default=4000,
        ge=100,
        le=60_000,
        description="The receiver's longest database statement; past it the delivery gets 503 + Retry-After.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Fernet key(s), comma-separated, first encrypts; empty: the local key file.",
    )
    secret_key_file: Path = Field(
        default=DEFAULT_SECRET_KEY_FILE, description="Local mode's key file, created (0600) on first use."
    )
    secret_rotation_grace_hours: float = Field(
        default=24.0,
        ge=0,
        le=24 * 30,
        description="How long the previous webhook secret still verifies after a rotation.",
    )

    roles: str = Field(
        default="",
        description="Who has which role: 'anna@x.se=admin, x.se=operator, y.no=analyst' (an address beats its domain).",
    )
    local_user: str = Field(default="", description="Local mode's acting person (default: the OS user).")
    local_user_email: str = Field(default="", description="Local mode's acting person's e-mail, if any.")
    local_role: Role = Field(default=Role.ADMIN, description="Local mode's role (admin, operator or analyst).")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def role_map(self, extra: dict[str, str] | None = None) -> RoleMap:
        """PERFILE_ROLES, plus entries from elsewhere (the dashboard's [roles] secrets), which win."""
        base = parse_roles(self.roles)
        if not extra:
            return base
        more = parse_roles(",".join(f"{who}={role}" for who, role in extra.items()))
        return RoleMap({**base.addresses, **more.addresses}, {**base.domains, **more.domains})

    def local_actor(self) -> Actor:
        """The named person acting in local mode (no login): the dashboard without [auth], the CLI."""
        if self.local_role is Role.SYSTEM:
            raise ValueError("PERFILE_LOCAL_ROLE is admin, operator or analyst")
        name = self.local_user.strip() or os_user()
        return Actor(name=name, email=self.local_user_email.strip() or None, role=self.local_role)


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local admin"


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
