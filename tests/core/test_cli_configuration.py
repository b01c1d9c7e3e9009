"""The CLI refuses configuration that would make every delivery fail, and stores names as
lookups find them."""

from __future__ import annotations

import pytest

from tests.core.test_cli import cli


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["couriers", "configure", "sandbox", "--webhook-secret-stdin"],
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "error: webhook_secret: a Standard Webhooks secret starts with whsec_ followed by base64",
        ),
        (
            ["couriers", "configure", "postnord", "--webhook-secret-stdin"],
            "whsec_%%%%",
            "error: webhook_secret: the part after whsec_ is not valid base64",
        ),
        (
            ["couriers", "configure", "dhl", "--webhook-secret-stdin"],
            "whsec_c2hvcnQ=",
            "error: webhook_secret: decodes to 5 bytes; a Standard Webhooks key has at least 16",
        ),
        (
            ["stores", "add", "--key", "up", "--name", "U", "--platform", "shopify", "--shop-domain", "up.example.net"],
            "",
            "error: shop_domain: must be the shop's .myshopify.com domain",
        ),
        (
            ["stores", "add", "--key", "Up Shop", "--name", "Up", "--platform", "manual"],
            "",
            "error: key: use 1-64 letters a-z, digits, - or _",
        ),
    ],
)
def test_configuration_that_cannot_work_exits_2_with_the_reason(
    sqlite_url: str, args: list[str], stdin: str, message: str
):
    result = cli(sqlite_url, *args, stdin=stdin)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_shop_domain_typed_with_capitals_and_space_is_stored_as_shopify_sends_it(sqlite_url: str):
    added = cli(
        sqlite_url,
        "stores",
        "add",
        "--key",
        "Up-Shop",
        "--name",
        "Up",
        "--platform",
        "shopify",
        "--shop-domain",
        "Up-Shop.myshopify.com ",
        "--webhook-secret-stdin",
        stdin="shpss_1\n",
    )
    assert added.returncode == 0, added.stderr
    assert "store up-shop added" in added.stdout
    listed = cli(sqlite_url, "stores", "list").stdout
    assert "up-shop.myshopify.com " in listed and "Up-Shop" not in listed
    rotated = cli(sqlite_url, "stores", "rotate-secret", "UP-SHOP", "--webhook-secret-stdin", stdin="shpss_2\n")
    assert rotated.returncode == 0, rotated.stderr


def test_a_courier_secret_in_standard_webhooks_form_is_accepted(sqlite_url: str):
    good = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert cli(sqlite_url, "couriers", "configure", "sandbox", "--webhook-secret-stdin", stdin=good).returncode == 0
    bring = cli(sqlite_url, "couriers", "configure", "bring", "--webhook-secret-env", "BRING", env={"BRING": "plain"})
    assert bring.returncode == 0, bring.stderr
    assert "sandbox" in cli(sqlite_url, "couriers", "list").stdout
