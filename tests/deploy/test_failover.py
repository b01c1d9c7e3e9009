"""Two receiver instances behind nginx on one PostgreSQL database (docs/DEPLOY.md): one is
killed while signed deliveries flow, and nothing acknowledged is lost or applied twice."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from perfile_core.db.engine import make_engine
from perfile_core.db.tables import notifications, orders, stores, tracking_events, webhook_inbox
from tests.deploy.failover import E_MAILS, JOURNEY, Tally, order_journey, send_all
from tests.receiver.helpers import configure_sources
from tests.receiver.live_servers import free_port, gunicorn, nginx_proxy, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 60
SENDERS = 4


@pytest.mark.live
def test_killing_one_of_two_receivers_mid_stream_loses_and_doubles_nothing(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(pg_url)
    configure_sources(engine)
    ports = {"a": free_port(), "b": free_port()}
    proxy_port = free_port()
    logs = [tmp_path / "receiver-a.log", tmp_path / "receiver-b.log"]
    journeys = [order_journey(index, tmp_path.name) for index in range(ORDERS)]
    total = sum(len(journey) for journey in journeys)
    tally = Tally()
    with (
        # One worker each: two instances on a 2-core box.
        gunicorn(pg_url, f"127.0.0.1:{ports['a']}", logs[0], workers=1, own_group=True) as first,
        gunicorn(pg_url, f"127.0.0.1:{ports['b']}", logs[1], workers=1, own_group=True) as second,
    ):
        for port in ports.values():
            wait_until_ready(f"http://127.0.0.1:{port}", [first, second], logs)
        upstreams = ",".join(f"127.0.0.1:{port}" for port in ports.values())
        with nginx_proxy(proxy_port, upstreams, tmp_path / "nginx", client_timeout=10) as proxy:
            base = f"http://127.0.0.1:{proxy_port}"
            wait_until_ready(base, [proxy, first, second], logs)
            started = time.monotonic()
            senders = [
                threading.Thread(
                    target=send_all,
                    args=(base, [d for journey in journeys[n::SENDERS] for d in journey], tally),
                    daemon=True,
                )
                for n in range(SENDERS)
            ]
            for sender in senders:
                sender.start()
            _kill_when(tally, first, acknowledged=int(total * 0.4), timeout=120)
            for sender in senders:
                sender.join(timeout=180)
            assert not any(sender.is_alive() for sender in senders), "the senders did not finish"
            elapsed = time.monotonic() - started
            assert second.poll() is None, "the surviving instance must still run"

    stored = _stored(engine)
    engine.dispose()
    acknowledged = set(tally.acknowledged)
    lost = len(acknowledged - stored["inbox_keys"])
    doubled = len(tally.acknowledged) - len(acknowledged) + stored["doubled"]
    assert tally.killed_at is not None and tally.first_ack_after_kill is not None
    recover_ms = (tally.first_ack_after_kill - tally.killed_at) * 1000
    figures = (
        f"failover: {total} deliveries ({ORDERS} Shopify orders + {ORDERS * len(JOURNEY)} courier events) by "
        f"{SENDERS} senders through nginx to 2 receivers; one killed (SIGKILL) after "
        f"{int(total * 0.4)} acknowledgements. attempts {tally.attempts}, acknowledged {len(tally.acknowledged)}, "
        f"retried {tally.retried} ({tally.failures_after_kill} after the kill; {tally.duplicates} answered "
        f"'duplicate'), lost {lost}, doubled {doubled}; first acknowledgement {recover_ms:.0f} ms after the kill, "
        f"last failed attempt {_after(tally):.0f} ms after it; whole stream {elapsed:.1f} s"
    )
    with capsys.disabled():
        print(f"\n{figures}")
    assert len(acknowledged) == total, figures
    assert lost == 0 and doubled == 0, figures
    assert stored["orders"] == ORDERS and stored["events"] == ORDERS * len(JOURNEY), (figures, stored)
    assert stored["delivered"] == ORDERS, (figures, stored)
    assert stored["e_mails"] == {trigger: ORDERS for trigger in E_MAILS}, (figures, stored)


def _kill_when(tally: Tally, instance: subprocess.Popen[bytes], *, acknowledged: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(tally.acknowledged) < acknowledged:
        assert time.monotonic() < deadline, f"only {len(tally.acknowledged)} deliveries acknowledged"
        time.sleep(0.005)
    with tally.lock:
        tally.killed_at = time.monotonic()
    os.killpg(instance.pid, signal.SIGKILL)  # the master and its worker, mid-request: a crash, no shutdown
    instance.wait()


def _after(tally: Tally) -> float:
    if tally.last_failure_after_kill is None or tally.killed_at is None:
        return 0.0
    return (tally.last_failure_after_kill - tally.killed_at) * 1000


def _stored(engine: Engine) -> dict:  # type: ignore[type-arg]
    """What the database holds, and every row beyond one per delivery, event, order or e-mail."""
    with engine.connect() as conn:
        keys = conn.execute(select(webhook_inbox.c.dedupe_key)).scalars().all()
        store_id = conn.execute(select(stores.c.id).where(stores.c.key == "demo-shopify")).scalar_one()
        order_rows = conn.execute(
            select(orders.c.external_id, orders.c.order_status).where(orders.c.store_id == store_id)
        ).all()
        event_ids = conn.execute(select(tracking_events.c.event_id)).scalars().all()
        mails = conn.execute(
            select(notifications.c.order_id, notifications.c.trigger, func.count()).group_by(
                notifications.c.order_id, notifications.c.trigger
            )
        ).all()
    e_mails: dict[str, int] = {}
    for _order, trigger, _count in mails:
        e_mails[trigger] = e_mails.get(trigger, 0) + 1
    doubled = (
        (len(keys) - len(set(keys)))
        + (len(order_rows) - len({external for external, _ in order_rows}))
        + (len(event_ids) - len(set(event_ids)))
        + sum(count - 1 for *_, count in mails)
    )
    return {
        "inbox_keys": set(keys),
        "orders": len(order_rows),
        "events": len(event_ids),
        "delivered": sum(1 for _, status in order_rows if status == "delivered"),
        "e_mails": e_mails,
        "doubled": doubled,
    }
