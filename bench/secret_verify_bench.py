"""Micro-timing of the receiver's signature verification through the secret cache.

`python -m bench.secret_verify_bench` times, on a fresh SQLite database with the demo's store and
sandbox courier: a Standard Webhooks verification with the secrets cached (the hot path), the same
with the cache re-reading the row on every call (what happens every 5 s per source), and a
rotated store with a previous secret (the clock is read then). Times are this process's CPU time
per call (median and best of 15 runs), so other load on the box disturbs them less. It uses only what the code before
secrets were encrypted also had, so the same script times both (run it from a checkout of each).
"""

from __future__ import annotations

import base64
import statistics
import tempfile
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from perfile_core.couriers.formats import standard_webhooks
from perfile_core.couriers.formats.signatures import hmac_sha256_base64, verify_base64_hmac
from perfile_core.db.engine import make_engine
from perfile_core.db.migrate import migrate
from perfile_core.domain.access import Actor, Role
from perfile_core.services import admin
from perfile_core.services.webhook_secrets import SecretCache

BENCH_ADMIN = Actor("bench", None, Role.ADMIN)  # every write service takes the acting person

COURIER_SECRET = "whsec_" + base64.b64encode(b"perfile-bench-courier-secret-32b").decode()
BODY = b'{"type":"shipment.status_updated","data":{"tracking_number":"00370438101234567890"}}' * 8


def _per_call_us(call: Callable[[], object], number: int) -> tuple[float, float]:
    # CPU time of this process: on a shared box, wall time mostly measures the other processes.
    runs = [t / number * 1e6 for t in timeit.repeat(call, number=number, repeat=15, timer=time.process_time)]
    return statistics.median(runs), min(runs)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        migrate(engine)
        admin.configure_courier(engine, "sandbox", webhook_secret=COURIER_SECRET, actor=BENCH_ADMIN)
        admin.add_store(engine, key="woo", name="W", platform="woocommerce", webhook_secret="wc-old", actor=BENCH_ADMIN)
        admin.rotate_store_secret(engine, "woo", "wc-new", actor=BENCH_ADMIN)
        now = datetime.now(UTC)
        stamp = int(now.timestamp())
        headers = {
            "webhook-id": "evt_1",
            "webhook-timestamp": str(stamp),
            "webhook-signature": standard_webhooks.sign(COURIER_SECRET, "evt_1", stamp, BODY),
        }
        woo_header = hmac_sha256_base64(b"wc-old", BODY)  # the previous secret: both are tried

        def courier_check(source):  # type: ignore[no-untyped-def]
            return standard_webhooks.verify(headers, BODY, source.secrets, now=now, tolerance_seconds=300)

        def store_check(source):  # type: ignore[no-untyped-def]
            return verify_base64_hmac(woo_header, BODY, [s.encode() for s in source.secrets], name="sig")

        cached, rereading = SecretCache(engine, ttl=3600), SecretCache(engine, ttl=0)
        rows = [
            ("courier, cached", lambda: cached.verified("courier", "sandbox", courier_check), 20_000),
            ("store with previous, cached", lambda: cached.verified("store", "woo", store_check), 20_000),
            ("courier, row re-read each call", lambda: rereading.verified("courier", "sandbox", courier_check), 500),
        ]
        for name, call, number in rows:
            median, best = _per_call_us(call, number)
            print(f"{name:<34} median {median:8.1f} us   best {best:8.1f} us")
        engine.dispose()


if __name__ == "__main__":
    main()
