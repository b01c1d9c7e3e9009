"""The CLI as a user runs it: a real subprocess against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from perfile_core.config import PROJECT_ROOT


def cli(
    db_url: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`stdin`: what the command reads from standard input (secrets come that way or from `env`)."""
    environment = {**os.environ, "PERFILE_DATABASE_URL": db_url, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "perfile_core", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def seeded_url(db_url: str) -> str:
    result = cli(db_url, "seed-demo", "--orders", "60", "--seed", "4")
    assert result.returncode == 0, result.stderr
    assert "seeded 60 orders" in result.stdout
    return db_url


def test_export_json_in_transit_has_computed_fields(seeded_url):
    result = cli(seeded_url, "orders", "export", "--format", "json", "--status", "in_transit")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows, "the demo data has shipments in transit"
    for row in rows:
        assert row["order_status"] == "in_transit"
        assert row["has_tracking"] and row["can_track"] and row["is_active"]
        assert not row["can_book_shipment"]
        assert row["progress"] == 50
        assert row["badge_color"] == "blue"
        assert row["tracking_number"] in row["tracking_url"]


def test_export_csv_with_filters(seeded_url):
    result = cli(seeded_url, "orders", "export", "--format", "csv", "--store", "demo-woo", "--needs-action")
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.strip().splitlines()
    assert header.startswith("id,order_number,store_key")
    assert lines and all(",demo-woo," in line for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["orders", "export", "--status", "lost_in_space"], "unknown status 'lost_in_space'"),
        (["orders", "export", "--courier", "pigeon"], "unknown courier 'pigeon'"),
        (["orders", "export", "--since", "2026-13-40"], "is not a date"),
        (["orders", "export", "--format", "xml"], "invalid choice"),
        (["stores", "add", "--key", "x", "--name", "X", "--platform", "shopify"], "shop_domain"),
        (["couriers", "configure", "pigeon"], "unknown courier 'pigeon'"),
        (["couriers", "configure", "bring", "--base-url", "ftp://x"], "base_url"),
        (["couriers", "configure", "bring", "--settings", "[1]"], "must be a JSON object"),
        (
            ["couriers", "configure", "budbee", "--settings", '{"speaks_for": "postnord"}'],
            "settings.speaks_for: must be a list of courier codes",
        ),
        (["couriers", "configure", "budbee", "--settings", '{"speaks_for": ["pigeon"]}'], "settings.speaks_for"),
        (["orders", "show", "no-such-order"], "no order matches"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_a_specific_message(sqlite_url, args, message):
    result = cli(sqlite_url, *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_store_and_courier_configuration_round_trip(sqlite_url):
    added = cli(
        sqlite_url,
        "stores",
        "add",
        "--key",
        "fjall",
        "--name",
        "Fjäll",
        "--platform",
        "woocommerce",
        "--webhook-secret-stdin",
        stdin="s3cret\n",
    )
    assert added.returncode == 0, added.stderr
    listed = cli(sqlite_url, "stores", "list")
    assert "fjall" in listed.stdout and "s3cret" not in listed.stdout
    configured = cli(
        sqlite_url, "couriers", "configure", "bring", "--api-key-stdin", "--base-url", "http://127.0.0.1:9", stdin="k"
    )
    assert configured.returncode == 0, configured.stderr
    couriers = cli(sqlite_url, "couriers", "list")
    assert "bring" in couriers.stdout and "http://127.0.0.1:9" in couriers.stdout


def test_manual_order_life_cycle(sqlite_url):
    cli(sqlite_url, "stores", "add", "--key", "tel", "--name", "Phone", "--platform", "manual")
    created = cli(
        sqlite_url,
        "orders",
        "create",
        "--store",
        "tel",
        "--customer-name",
        "Ola Nordmann",
        "--order-number",
        "TEL-1",
        "--country-code",
        "no",
    )
    assert created.returncode == 0, created.stderr
    attached = cli(
        sqlite_url, "orders", "attach-tracking", "TEL-1", "--tracking-number", "RR473124829GB", "--courier", "postnord"
    )
    assert "confirmed" in attached.stdout
    cli(sqlite_url, "orders", "create", "--store", "tel", "--customer-name", "Kari", "--order-number", "TEL-2")
    # Without --courier: only Bring prints 17-digit consignment numbers (with this check digit).
    detected = cli(sqlite_url, "orders", "attach-tracking", "TEL-2", "--tracking-number", "70438101268018539")
    assert "70438101268018539 (bring)" in detected.stdout, detected.stderr
    shown = cli(sqlite_url, "orders", "show", "RR473124829GB")
    assert '"order_number": "TEL-1"' in shown.stdout
    assert "Tracking number RR473124829GB (PostNord) attached by " in shown.stdout
    assert " (command line) (was none)" in shown.stdout  # the CLI acts as a named local admin
    bad = cli(sqlite_url, "orders", "create", "--store", "tel", "--customer-name", "X", "--customer-email", "nope")
    assert bad.returncode == 2 and "customer_email" in bad.stderr
