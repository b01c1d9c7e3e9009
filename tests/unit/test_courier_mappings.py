"""Every row of the contract's mapping table (section 3), per courier, and the rules around it."""

from __future__ import annotations

import pytest

from perfile_core.domain.courier_mappings import (
    BRING,
    DHL,
    INFORMATIONAL,
    KARRIO,
    MAPPINGS,
    POSTNORD,
    SANDBOX,
    MappedStatus,
    normalize,
    parse_unified_status,
    status_in_context,
)
from perfile_core.domain.status import ExceptionReason, Status, event_kind

S, R = Status, ExceptionReason
EXC = Status.EXCEPTION

# (raw code, status, reason), transcribed from the contract's table column by column.
POSTNORD_ROWS = [
    ("CREATED", S.CONFIRMED, None),
    ("INFORMED", S.CONFIRMED, None),
    ("EN_ROUTE", S.IN_TRANSIT, None),  # once picked up; the first one is the pickup (below)
    ("AVAILABLE_FOR_DELIVERY", S.READY_FOR_PICKUP, None),
    ("AVAILABLE_FOR_DELIVERY_PAR_LOC", S.READY_FOR_PICKUP, None),
    ("DELIVERED", S.DELIVERED, None),
    ("DELAYED", EXC, R.DELAYED),
    ("EXPECTED_DELAY", EXC, R.DELAYED),
    ("DELIVERY_IMPOSSIBLE", EXC, R.FAILED_ATTEMPT),
    ("DELIVERY_REFUSED", EXC, R.REFUSED),
    ("STOPPED", EXC, R.ON_HOLD),
    ("RETURNED", S.RETURNED, None),
    ("OTHER", None, None),
]
BRING_ROWS = [
    ("PRE_NOTIFIED", S.CONFIRMED, None),
    ("HANDED_IN", S.PICKED_UP, None),
    ("COLLECTED", S.PICKED_UP, None),
    ("IN_TRANSIT", S.IN_TRANSIT, None),
    ("TERMINAL", S.IN_TRANSIT, None),
    ("INTERNATIONAL", S.IN_TRANSIT, None),
    ("CUSTOMS", S.IN_TRANSIT, None),
    ("TRANSPORT_TO_RECIPIENT", S.OUT_FOR_DELIVERY, None),
    ("READY_FOR_PICKUP", S.READY_FOR_PICKUP, None),
    ("DELIVERED", S.DELIVERED, None),
    ("DEVIATION", EXC, R.DELAYED),
    ("ATTEMPTED_DELIVERY", EXC, R.FAILED_ATTEMPT),
    ("RETURN", S.RETURNED, None),
    ("DELIVERED_SENDER", S.RETURNED, None),
    ("NOTIFICATION_SENT", None, None),
    ("DELIVERY_CHANGED", None, None),
    ("DELIVERY_ORDERED", None, None),
    ("DELIVERY_CANCELLED", None, None),
    ("UNKNOWN", None, None),
]
DHL_ROWS = [
    ("pre-transit", S.CONFIRMED, None),
    ("PU", S.PICKED_UP, None),  # DHL Express event code
    ("transit", S.IN_TRANSIT, None),
    ("WC", S.OUT_FOR_DELIVERY, None),  # DHL Express event code
    ("delivered", S.DELIVERED, None),
    # The contract lists `failure` under both failed_attempt and refused; the first row wins.
    ("failure", EXC, R.FAILED_ATTEMPT),
    ("unknown", None, None),
]
KARRIO_ROWS = [
    ("pending", S.CONFIRMED, None),
    ("picked_up", S.PICKED_UP, None),
    ("in_transit", S.IN_TRANSIT, None),
    ("out_for_delivery", S.OUT_FOR_DELIVERY, None),
    ("ready_for_pickup", S.READY_FOR_PICKUP, None),
    ("delivered", S.DELIVERED, None),
    ("delivery_delayed", EXC, R.DELAYED),
    # Listed under both failed_attempt and refused; the first row wins.
    ("delivery_failed", EXC, R.FAILED_ATTEMPT),
    ("on_hold", EXC, R.ON_HOLD),
    ("return_to_sender", S.RETURNED, None),
    ("unknown", None, None),
]
ROWS = [
    *[("postnord", *row) for row in POSTNORD_ROWS],
    *[("bring", *row) for row in BRING_ROWS],
    *[("dhl", *row) for row in DHL_ROWS],
    *[("aggregator", *row) for row in KARRIO_ROWS],
]


@pytest.mark.parametrize(("courier", "code", "status", "reason"), ROWS)
def test_contract_row(courier: str, code: str, status: Status | None, reason: ExceptionReason | None) -> None:
    assert normalize(courier, code) == MappedStatus(status, reason)


@pytest.mark.parametrize(
    ("table", "rows"),
    [(POSTNORD, POSTNORD_ROWS), (BRING, BRING_ROWS), (DHL, DHL_ROWS), (KARRIO, KARRIO_ROWS)],
    ids=["postnord", "bring", "dhl", "karrio"],
)
def test_tables_hold_the_contract_rows(
    table: dict[str, MappedStatus], rows: list[tuple[str, Status | None, ExceptionReason | None]]
) -> None:
    for code, status, reason in rows:
        assert table[code] == MappedStatus(status, reason), code


def test_every_exception_has_a_reason_and_nothing_else_does() -> None:
    for courier, table in MAPPINGS.items():
        for code, mapped in table.items():
            if mapped.status == EXC:
                assert mapped.reason is not None, (courier, code)
            else:
                assert mapped.reason is None, (courier, code)


def test_courier_tables_are_registered() -> None:
    assert MAPPINGS["postnord"] is POSTNORD
    assert MAPPINGS["bring"] is BRING
    assert MAPPINGS["dhl"] is DHL
    assert MAPPINGS["aggregator"] is KARRIO
    assert MAPPINGS["sandbox"] is SANDBOX


@pytest.mark.parametrize("courier", ["postnord", "bring", "dhl", "aggregator", "sandbox", "budbee"])
@pytest.mark.parametrize("code", ["NOT_A_CODE", "", "delivered-ish", "EN ROUTE"])
def test_unknown_codes_are_informational(courier: str, code: str) -> None:
    mapped = normalize(courier, code)
    assert mapped == INFORMATIONAL
    assert mapped.status is None
    assert event_kind(mapped.status).value == "informational"


def test_unknown_courier_falls_back_to_karrio_names() -> None:
    assert normalize("some-aggregated-courier", "out_for_delivery").status == S.OUT_FOR_DELIVERY
    assert normalize("some-aggregated-courier", "CREATED") == INFORMATIONAL  # not a PostNord table


def test_upper_case_tables_accept_lower_case_codes() -> None:
    assert normalize("postnord", "delivered").status == S.DELIVERED
    assert normalize("bring", "transport_to_recipient").status == S.OUT_FOR_DELIVERY


def test_codes_do_not_leak_between_couriers() -> None:
    assert normalize("bring", "CREATED") == INFORMATIONAL  # a PostNord code
    assert normalize("postnord", "HANDED_IN") == INFORMATIONAL  # a Bring code


# -- PostNord has no pickup code: its first EN_ROUTE after booking is the pickup ---------


def test_postnord_first_en_route_is_the_pickup() -> None:
    assert normalize("postnord", "EN_ROUTE", picked_up_yet=False) == MappedStatus(S.PICKED_UP)
    assert normalize("postnord", "EN_ROUTE", picked_up_yet=True) == MappedStatus(S.IN_TRANSIT)
    assert normalize("postnord", "EN_ROUTE") == MappedStatus(S.IN_TRANSIT)


def test_status_in_context_for_postnord_en_route() -> None:
    assert status_in_context("postnord", "EN_ROUTE", S.IN_TRANSIT, picked_up_yet=False) == S.PICKED_UP
    assert status_in_context("postnord", "EN_ROUTE", S.IN_TRANSIT, picked_up_yet=True) == S.IN_TRANSIT


@pytest.mark.parametrize("picked_up_yet", [True, False])
def test_status_in_context_leaves_everything_else_alone(picked_up_yet: bool) -> None:
    assert status_in_context("postnord", "DELIVERED", S.DELIVERED, picked_up_yet) == S.DELIVERED
    assert status_in_context("postnord", "OTHER", None, picked_up_yet) is None
    assert status_in_context("postnord", None, S.CONFIRMED, picked_up_yet) == S.CONFIRMED
    assert status_in_context("bring", "IN_TRANSIT", S.IN_TRANSIT, picked_up_yet) == S.IN_TRANSIT
    assert status_in_context("dhl", "transit", S.IN_TRANSIT, picked_up_yet) == S.IN_TRANSIT
    assert normalize("bring", "IN_TRANSIT", picked_up_yet=picked_up_yet).status == S.IN_TRANSIT


# -- the sandbox courier and our unified format speak our own status names -------------------


def test_sandbox_speaks_our_status_names() -> None:
    for status in Status:
        if status in (S.PENDING, EXC):
            assert status.value not in SANDBOX
        else:
            assert normalize("sandbox", status.value) == MappedStatus(status)
    for reason in ExceptionReason:
        assert normalize("sandbox", f"exception:{reason.value}") == MappedStatus(EXC, reason)
    assert normalize("sandbox", "notification_sent") == INFORMATIONAL


@pytest.mark.parametrize("status", list(Status))
def test_parse_unified_status_accepts_every_name(status: Status) -> None:
    parsed = parse_unified_status(status.value, None)
    assert parsed.status == status
    assert parsed.reason == (ExceptionReason.OTHER if status == EXC else None)


@pytest.mark.parametrize("reason", list(ExceptionReason))
def test_parse_unified_status_exception_reasons(reason: ExceptionReason) -> None:
    assert parse_unified_status("exception", reason.value) == MappedStatus(EXC, reason)


def test_parse_unified_status_ignores_a_reason_outside_exceptions() -> None:
    assert parse_unified_status("delivered", "damaged") == MappedStatus(S.DELIVERED)


@pytest.mark.parametrize("name", ["", "Delivered", "DELIVERED", "in transit", "shipped", "EN_ROUTE", "unknown"])
def test_parse_unified_status_rejects_unknown_names(name: str) -> None:
    with pytest.raises(ValueError):
        parse_unified_status(name, None)


def test_parse_unified_status_rejects_unknown_reasons() -> None:
    with pytest.raises(ValueError):
        parse_unified_status("exception", "stolen_by_seagulls")
