"""The composition root: builds the engine and shared services from settings, once.

Entry points (CLI, dashboard, receiver) call `build()` and pass its parts to services;
nothing else creates engines or reads configuration.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from perfile_core.config import Settings, load_settings
from perfile_core.db.engine import make_engine
from perfile_core.db.order_writes import watch_order_writes

if TYPE_CHECKING:
    from perfile_core.couriers.registry import CourierRegistry
    from perfile_core.db.direct import DirectConnections
    from perfile_core.db.listen import OrderChanges
    from perfile_core.db.notify import ChangeNotifier
    from perfile_core.services.live_pages import SharedPages

_START_LOCK = threading.Lock()


@dataclass
class Perfile:
    settings: Settings
    db: Engine
    _couriers: CourierRegistry | None = field(default=None, repr=False)
    _direct: DirectConnections | None = field(default=None, repr=False)
    _changes: ChangeNotifier | None = field(default=None, repr=False)
    _order_changes: OrderChanges | None = field(default=None, repr=False)
    _live_pages: SharedPages | None = field(default=None, repr=False)
    statement_timeout_ms: int | None = None  # PostgreSQL sessions; set for the receiver

    @property
    def couriers(self) -> CourierRegistry:
        """The courier registry, built from courier_accounts on first use (after migrations)."""
        if self._couriers is None:
            from perfile_core.couriers.registry import build_registry
            from perfile_core.services.admin import list_courier_accounts

            self._couriers = build_registry(list_courier_accounts(self.db), self.settings)
        return self._couriers

    def reload_couriers(self) -> None:
        """Forget the registry so the next use reads changed courier accounts."""
        self._couriers = None

    @property
    def direct_connections(self) -> DirectConnections | None:
        """Pooled autocommit connections for the receiver's hot path; None off PostgreSQL."""
        if self._direct is None and self.db.dialect.name == "postgresql":
            from perfile_core.db.direct import DirectConnections

            self._direct = DirectConnections(self.settings.database_url, statement_timeout_ms=self.statement_timeout_ms)
        return self._direct

    @property
    def changes(self) -> ChangeNotifier:
        """Tells LISTENers (PostgreSQL NOTIFY) which orders changed, after commit."""
        if self._changes is None:
            from perfile_core.db.notify import make_notifier

            self._changes = make_notifier(self.settings.database_url)
        return self._changes

    @property
    def order_changes(self) -> OrderChanges:
        """What LISTENing tells this process about changed orders (PostgreSQL; started on first
        use, e.g. by the dashboard's first live tick); on SQLite it knows nothing and callers poll."""
        with _START_LOCK:  # sessions tick in parallel threads: one listener per process
            if self._order_changes is None:
                from perfile_core.db.listen import make_order_changes

                self._order_changes = make_order_changes(self.settings.database_url)
            return self._order_changes

    @property
    def live_pages(self) -> SharedPages:
        """Order pages and totals for live views, shared by the process's sessions per listener version."""
        with _START_LOCK:
            if self._live_pages is None:
                from perfile_core.services.live_pages import SharedPages

                self._live_pages = SharedPages(self.db)
            return self._live_pages

    def orders_written(self, order_ids: set[int]) -> None:
        """After a commit through `db` changed these orders: other processes hear it by NOTIFY,
        this one's listener at once (so a page redrawn right after an action shows it)."""
        self.changes.orders_changed(order_ids)
        if self._order_changes is not None:
            self._order_changes.changed_here()

    def close(self) -> None:
        if self._order_changes is not None:
            self._order_changes.close()
        if self._changes is not None:
            self._changes.close()
        if self._direct is not None:
            self._direct.close()
        self.db.dispose()


def build(
    settings: Settings | None = None, *, pre_ping: bool = True, statement_timeout_ms: int | None = None
) -> Perfile:
    """`pre_ping=False` and `statement_timeout_ms`: see make_engine (the receiver answers a dead
    connection or a statement stuck behind a lock with 503 + Retry-After)."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url, pre_ping=pre_ping, statement_timeout_ms=statement_timeout_ms)
    perfile = Perfile(settings=settings, db=engine, statement_timeout_ms=statement_timeout_ms)
    watch_order_writes(engine, perfile.orders_written)
    return perfile
