"""Which tracking numbers an operator may type for each courier, and what they are told otherwise."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta

import pytest

from perfile_core.couriers.sandbox.adapter import tracking_number_for
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.tracking_numbers import make_s10, make_sscc, tracking_format_problem
from perfile_core.services import seed
from perfile_core.services.webhook_simulator import Secrets, Simulation

S10 = "RR473124829SE"
POSTNORD_ITEM_ID = "00373500454541020957"  # contracts: postnord_trackandtrace_v7_findbyidentifier_response.json
BRING_CONSIGNMENT = "70438101268018539"  # contracts: bring_booking_response.json
BRING_PACKAGE = "370438101268058536"
DHL_PARCEL_CONNECT = "00340434292135100124"  # contracts: dhl_unified_tracking_response.json
DHL_WAYBILL = "1234567890"
DHL_ECOMMERCE = ("JJD000390007812345678", "JD014600006281234567")


def with_check_digit_off(number: str, position: int) -> str:
    return number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]


@pytest.mark.parametrize(
    ("courier", "number"),
    [
        ("postnord", S10),
        ("postnord", POSTNORD_ITEM_ID),
        ("bring", BRING_CONSIGNMENT),
        ("bring", BRING_PACKAGE),
        ("bring", S10),
        ("dhl", DHL_WAYBILL),
        *[("dhl", number) for number in DHL_ECOMMERCE],
        ("dhl", DHL_PARCEL_CONNECT),
        ("dhl", S10),
        ("sandbox", BRING_PACKAGE),
        ("budbee", "BUD123"),
        ("instabox", "A" * 40),
    ],
)
def test_numbers_in_the_couriers_formats_pass(courier: str, number: str) -> None:
    assert tracking_format_problem(courier, number) is None


@pytest.mark.parametrize(
    ("courier", "number"),
    [
        ("postnord", with_check_digit_off(S10, 10)),
        ("postnord", with_check_digit_off(POSTNORD_ITEM_ID, 19)),
        ("bring", with_check_digit_off(BRING_CONSIGNMENT, 16)),
        ("bring", with_check_digit_off(BRING_PACKAGE, 17)),
        ("bring", with_check_digit_off(S10, 10)),
        ("dhl", with_check_digit_off(DHL_PARCEL_CONNECT, 19)),
        ("sandbox", with_check_digit_off(BRING_PACKAGE, 17)),
    ],
)
def test_a_wrong_check_digit_is_named(courier: str, number: str) -> None:
    problem = tracking_format_problem(courier, number)
    assert problem is not None and problem.startswith("the check digit does not match")
    assert f"{COURIER_NAMES[courier]} uses: " in problem


@pytest.mark.parametrize(
    ("courier", "number"),
    [
        ("postnord", "ABC"),  # letters only
        ("postnord", BRING_PACKAGE),  # an SSCC without PostNord's "00"
        ("postnord", POSTNORD_ITEM_ID + "0"),  # too long
        ("postnord", "RR47312482SE"),  # one serial digit short
        ("bring", BRING_PACKAGE[:-2]),  # 16 digits
        ("bring", "A" + BRING_CONSIGNMENT[1:]),  # a letter in a number that is digits only
        ("dhl", DHL_WAYBILL[:-1]),  # 9 digits
        ("dhl", "JJD123"),  # too few digits after JJD
        ("dhl", "XJD0003900078123456"),
        ("sandbox", S10),  # the sandbox books SSCCs only
        ("sandbox", "SBXPOOL1"),
        ("budbee", "AB12"),  # under 6
        ("instabox", "A" * 41),
    ],
)
def test_a_number_in_no_format_of_the_courier_is_refused_with_its_formats(courier: str, number: str) -> None:
    problem = tracking_format_problem(courier, number)
    assert problem is not None and problem.startswith(f"not a {COURIER_NAMES[courier]} tracking number")


def test_the_message_names_each_format_the_courier_uses() -> None:
    assert tracking_format_problem("postnord", "ABC") == (
        "not a PostNord tracking number; PostNord uses: UPU S10 (2 letters, 8 digits, a check digit,"
        ' 2-letter country, e.g. RR473124829SE); "00" + 18-digit SSCC with its check digit (20 digits)'
    )
    bring = tracking_format_problem("bring", "ABC") or ""
    assert "17-digit consignment number" in bring and "18-digit SSCC" in bring and "UPU S10" in bring
    dhl = tracking_format_problem("dhl", "ABC") or ""
    assert "10-digit DHL Express waybill" in dhl and "JJD or JD" in dhl and "UPU S10" in dhl
    assert "6-40 letters and digits" in (tracking_format_problem("budbee", "ABC") or "")


def test_only_ascii_digits_count() -> None:
    arabic = "".join(chr(0x0660 + int(d)) for d in DHL_WAYBILL)
    assert tracking_format_problem("dhl", arabic) is not None


# -- numbers our own code produces ------------------------------------------------------------


@pytest.mark.parametrize("courier", sorted(seed.COURIER_WEIGHTS))
def test_every_seeded_number_passes(courier: str) -> None:
    for index in (0, 1, 7, 299, 12_345):
        number = seed._tracking_number(courier, index)
        assert tracking_format_problem(courier, number) is None, number


def test_every_sandbox_booking_number_passes() -> None:
    rng = random.Random(3)
    for reference in ["ORD-1", "#1001", "", *(f"R{rng.randrange(10**9)}" for _ in range(200))]:
        assert tracking_format_problem("sandbox", tracking_number_for(reference)) is None


def test_every_number_the_webhook_simulator_sends_passes() -> None:
    simulation = Simulation(Secrets("s", "w", "whsec_" + base64.b64encode(b"k" * 32).decode()), rng=random.Random(5))
    numbers = set()
    start = datetime.now(UTC)
    for second in range(200):
        simulation.tick(start + timedelta(seconds=second))
        numbers |= {shipment.number for shipment in simulation.in_flight}
    assert len(numbers) > 20
    assert all(tracking_format_problem("sandbox", number) is None for number in numbers)


def test_made_numbers_pass_for_the_couriers_that_print_them() -> None:
    assert tracking_format_problem("postnord", "00" + make_sscc("37350045000000001")) is None
    assert tracking_format_problem("postnord", make_s10("EE", 12_345_678, "SE")) is None
    assert tracking_format_problem("bring", make_sscc("37043810000000001")) is None
