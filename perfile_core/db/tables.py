"""The schema, as SQLAlchemy Core tables. Alembic migrations create it; these
definitions are what queries are written against."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from perfile_core.db.delivery_columns import ALL_MEASURES
from perfile_core.db.types import JSONType, UTCDateTime

# Integer primary keys autoincrement on SQLite only as INTEGER; BIGINT elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Every change to an order takes the next value, so the dashboard can ask
# "what changed since cursor N" with one index range scan.
order_change_seq = Sequence("order_change_seq", metadata=metadata)

NOT_DELETED = text("deleted_at IS NULL")


def _newest_first(name: str, *columns: str) -> Index:
    """A partial index on live orders ending in the dashboard's sort key."""
    return Index(
        name,
        *columns,
        text("created_at DESC"),
        text("id DESC"),
        postgresql_where=NOT_DELETED,
        sqlite_where=NOT_DELETED,
    )


stores = Table(
    "stores",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("platform", String(20), nullable=False),  # shopify | woocommerce | manual
    Column("shop_domain", String(255), unique=True),
    Column("pickup_address", JSONType, nullable=False, default=dict),
    # Fernet tokens (services/stored_secrets.py); the previous secret verifies for a grace period after rotated_at.
    Column("webhook_secret", Text),
    Column("webhook_secret_previous", Text),
    Column("webhook_secret_rotated_at", UTCDateTime),
    Column("webhook_secret_set_at", UTCDateTime),  # when the current secret was set (migration 0009)
    Column("created_at", UTCDateTime, nullable=False),
)

courier_accounts = Table(
    "courier_accounts",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("api_key", Text),  # Fernet token, like the secrets below
    Column("credentials", JSONType, nullable=False, default=dict),  # {} or {"sealed": token of the JSON}
    Column("base_url", String(500)),
    Column("webhook_secret", Text),
    Column("webhook_secret_previous", Text),
    Column("webhook_secret_rotated_at", UTCDateTime),
    Column("webhook_secret_set_at", UTCDateTime),  # when the current secret was set (migration 0009)
    Column("settings", JSONType, nullable=False, default=dict),  # e.g. a rate table
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

shipment_labels = Table(
    "shipment_labels",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("order_id", BigId, ForeignKey("orders.id"), nullable=False, index=True),
    Column("tracking_number", String(64), nullable=False),
    Column("content_type", String(50), nullable=False, default="application/pdf"),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("order_number", String(64), nullable=False),
    Column("store_id", BigId, ForeignKey("stores.id"), nullable=False),
    Column("external_id", String(64)),  # the webshop's own order id
    Column("source_updated_at", UTCDateTime),  # webshop's updated_at: older payloads lose
    Column("customer_name", String(200), nullable=False),
    Column("customer_email", String(320)),
    Column("customer_phone", String(50)),
    Column("address_line1", String(200)),
    Column("address_line2", String(200)),
    Column("postal_code", String(20)),
    Column("city", String(100)),
    Column("country_code", String(2)),
    Column("weight_grams", Integer),
    Column("length_cm", Integer),
    Column("width_cm", Integer),
    Column("height_cm", Integer),
    Column("order_status", String(20), nullable=False),
    Column("main_status", String(20), nullable=False),
    Column("main_status_at", UTCDateTime),
    Column("exception_reason", String(20)),
    Column("exception_at", UTCDateTime),
    Column("shipped_at", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    Column("tracking_number", String(64)),
    Column("courier", String(40)),
    Column("courier_name", String(100)),  # webshop's text for a courier we do not know
    Column("service_type", String(60)),
    Column("label_id", BigId),
    Column("estimated_delivery", Date),
    Column("courier_metadata", JSONType, nullable=False, default=dict),
    Column("latest_event_at", UTCDateTime),
    Column("latest_event_description", String(500)),
    Column("latest_event_location", String(200)),
    Column("latest_event_status", String(20)),
    Column("notes", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("change_cursor", BigInteger, nullable=False),
    Column("deleted_at", UTCDateTime),
    UniqueConstraint("store_id", "order_number"),
    # Dashboard access paths; all partial on live rows, all ending in the sort key
    # (created_at DESC, id DESC) so a filtered first page is an index range scan.
    # Per-status partial indexes (ix_orders_<status>_created) live in migration 0001.
    _newest_first("ix_orders_live_created"),
    _newest_first("ix_orders_store_status_created", "store_id", "order_status"),
    _newest_first("ix_orders_courier_status_created", "courier", "order_status"),
    _newest_first("ix_orders_store_created", "store_id"),
    # A courier's delivered orders to one postal region (quotes' on-time rate; migration 0006).
    Index(
        "ix_orders_delivered_region",
        "courier",
        "country_code",
        "postal_code",
        text("delivered_at DESC"),
        postgresql_ops={"postal_code": "varchar_pattern_ops"},
        postgresql_where=text("deleted_at IS NULL AND order_status = 'delivered'"),
        sqlite_where=text("deleted_at IS NULL AND order_status = 'delivered'"),
    ),
    # The Orders page's other sorts and its search (migration 0007; the search indexes, on
    # lower(number) text_pattern_ops and a trigram e-mail index, exist on PostgreSQL only).
    Index("ix_orders_live_updated", "updated_at", "id", postgresql_where=NOT_DELETED, sqlite_where=NOT_DELETED),
    Index(
        "ix_orders_live_customer_name", "customer_name", "id", postgresql_where=NOT_DELETED, sqlite_where=NOT_DELETED
    ),
    Index(
        "ix_orders_live_status_eta",
        "order_status",
        "estimated_delivery",
        "id",
        postgresql_where=NOT_DELETED,
        sqlite_where=NOT_DELETED,
    ),
    Index("ix_orders_tracking_number", "tracking_number"),
    Index("ix_orders_order_number", "order_number"),
    Index("ix_orders_change_cursor", "change_cursor"),
    Index("ix_orders_store_external", "store_id", "external_id", unique=True),
)

tracking_events = Table(
    "tracking_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("courier", String(40), nullable=False),
    Column("tracking_number", String(64), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("order_id", BigId, ForeignKey("orders.id")),  # null until an order has the number
    Column("raw_code", String(100)),
    Column("raw_status", String(200)),
    Column("normalized_status", String(20)),  # null = informational
    Column("exception_reason", String(20)),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("description", String(500)),
    Column("location", String(200)),
    Column("estimated_delivery", Date),
    Column("raw_payload", JSONType),
    Column("received_at", UTCDateTime, nullable=False),
    Column("applied_at", UTCDateTime),
    UniqueConstraint("courier", "event_id"),
    Index("ix_tracking_events_order_occurred", "order_id", "occurred_at"),
    Index(
        "ix_tracking_events_unmatched",
        "tracking_number",
        postgresql_where=text("order_id IS NULL"),
        sqlite_where=text("order_id IS NULL"),
    ),
)

webhook_inbox = Table(
    "webhook_inbox",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("source", String(60), nullable=False),  # shopify | woocommerce | courier:<code>
    Column("dedupe_key", String(300), nullable=False, unique=True),
    Column("topic", String(100)),
    Column("headers", JSONType, nullable=False, default=dict),  # without secrets
    Column("body", LargeBinary, nullable=False),  # raw bytes exactly as signed
    Column("result", String(20), nullable=False),  # accepted | ignored | pending
    Column("detail", String(500)),
    Column("request_id", String(64)),
    Column("received_at", UTCDateTime, nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("order_id", BigId, ForeignKey("orders.id"), index=True),
    Column("channel", String(20), nullable=False, default="email"),
    Column("trigger", String(40), nullable=False),  # booked | status:<status> | manual
    Column("to_address", String(320), nullable=False),
    # Composed from `facts` when first read or sent if the writer stored only the facts.
    Column("subject", String(300)),
    Column("body", Text),
    Column("facts", JSONType),  # notify.email.MailFacts when queued
    Column("status", String(20), nullable=False),  # outbox | sending | sent | failed
    Column("error", String(500)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
)

claims = Table(
    "claims",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("order_id", BigId, ForeignKey("orders.id"), nullable=False, index=True),
    Column("claim_type", String(20), nullable=False),  # lost | damaged | delayed | other
    Column("description", Text, nullable=False),
    Column("amount", Numeric(12, 2)),
    Column("currency", String(3)),
    Column("status", String(20), nullable=False),  # open | submitted | approved | rejected | paid
    Column("created_by", String(100)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

booking_attempts = Table(
    "booking_attempts",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("order_id", BigId, ForeignKey("orders.id"), nullable=False, index=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("courier", String(40), nullable=False),
    Column("service", String(60), nullable=False),
    Column("status", String(20), nullable=False),  # started | booked | confirmed | failed | cancelled
    Column("tracking_number", String(64)),
    Column("courier_reference", String(200)),
    Column("error", String(500)),
    Column("details", JSONType, nullable=False, default=dict),
    Column("created_by", String(100)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    # At most one booking in flight per order (started, or booked at the courier but not yet
    # written to the order): the database itself refuses a second concurrent booking.
    Index(
        "uq_booking_attempts_active_order",
        "order_id",
        unique=True,
        postgresql_where=text("status IN ('started', 'booked')"),
        sqlite_where=text("status IN ('started', 'booked')"),
    ),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("actor", String(100), nullable=False),  # the person's name, or the system source
    Column("actor_email", String(254)),  # people only (migration 0012)
    Column("actor_role", String(20)),
    Column("action", String(60), nullable=False),
    Column("order_id", BigId, ForeignKey("orders.id"), index=True),
    Column("details", JSONType, nullable=False, default=dict),
    Column("before", JSONType),  # the changed values before and after the write
    Column("after", JSONType),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)

# When each operator last looked at an order (opened it, or dismissed its "updated" mark): the
# orders table marks orders changed since then. One row per operator and order, upserted.
order_seen = Table(
    "order_seen",
    metadata,
    Column("operator", String(100), primary_key=True),
    Column("order_id", BigId, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False),
)


# Delivery analytics per created day (UTC), courier ("" for none), store and destination region
# (domain.delivery_stats): sums of db/delivery_sql.order_facts over live orders. On PostgreSQL
# a trigger on orders keeps it current on every write (migration 0010, db/delivery_rollup_sql.py);
# SQLite analytics read orders directly and leave it empty. delivery_rollup_weekly holds the
# same sums per week (the Monday it starts), so a long period sums a seventh of the rows.
def _rollup(name: str, period: str) -> Table:
    return Table(
        name,
        metadata,
        Column(period, Date, primary_key=True),
        Column("courier", String(40), primary_key=True),
        Column("store_id", BigId, primary_key=True),
        Column("region", String(8), primary_key=True),
        *(
            Column(measure, BigInteger if measure == "delivery_seconds" else Integer, nullable=False, default=0)
            for measure in ALL_MEASURES
        ),
    )


delivery_rollup = _rollup("delivery_rollup", "day")
delivery_rollup_weekly = _rollup("delivery_rollup_weekly", "week")

# Deliveries that left nothing in the inbox: duplicates and refusals (bad signature, unknown
# source, malformed body), with the answer's code and reason; a few per second per process at
# most (services/webhook_refusals.py), so a flood of bad requests cannot fill the database.
webhook_refusals = Table(
    "webhook_refusals",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("source", String(60), nullable=False),
    Column("result", String(20), nullable=False),  # duplicate | rejected
    Column("status", Integer, nullable=False),  # the HTTP status answered
    Column("code", String(60)),  # the error code answered
    Column("detail", String(500)),
    Column("request_id", String(64)),
    Column("received_at", UTCDateTime, nullable=False),
)

# One row per tracking poller pass: what it did, and each courier it could not reach.
poller_runs = Table(
    "poller_runs",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Column("shipments", Integer, nullable=False),
    Column("events_new", Integer, nullable=False),
    Column("status_changes", Integer, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("errors", JSONType, nullable=False, default=list),  # [{"order", "courier", "message"}]
    Index("ix_poller_runs_started", text("started_at DESC")),
)
