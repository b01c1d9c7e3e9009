"""Attaching a typed tracking number: checked against the courier's formats, and the courier
taken from the order or from the number's shape when the operator leaves it to us."""

from __future__ import annotations

import pytest

from perfile_core.domain.errors import ValidationError
from perfile_core.domain.tracking_numbers import couriers_for_number, make_s10, make_sscc
from perfile_core.services import orders as order_service
from tests.actors import person
from tests.core.helpers import make_order, make_store

BRING_CONSIGNMENT = "70438101268018539"
DHL_WAYBILL = "1234567890"


@pytest.mark.parametrize(
    ("number", "couriers"),
    [
        (BRING_CONSIGNMENT, ["bring"]),
        (DHL_WAYBILL, ["dhl"]),
        ("JJD000390007812345678", ["dhl"]),
        (make_sscc("37043810000000001"), ["bring", "sandbox"]),
        ("00" + make_sscc("37350045000000001"), ["postnord", "dhl"]),
        (make_s10("RR", 47_312_482, "SE"), ["postnord", "bring", "dhl"]),
        ("ABC", []),
        (BRING_CONSIGNMENT[:-1] + str((int(BRING_CONSIGNMENT[-1]) + 1) % 10), []),  # check digit off
    ],
)
def test_couriers_whose_published_format_a_number_has(number: str, couriers: list[str]) -> None:
    assert couriers_for_number(number) == couriers


def errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return dict(exc.value.errors)


def test_a_number_in_no_format_of_the_chosen_courier_is_refused(db):
    make_store(db)
    order = make_order(db)
    with pytest.raises(ValidationError) as refused:
        order_service.attach_tracking(db, order.id, "abc", "postnord", actor=person("dashboard"))
    assert errors(refused)["tracking_number"].startswith("not a PostNord tracking number")
    with pytest.raises(ValidationError) as refused:
        order_service.attach_tracking(db, order.id, "a b c!", None, actor=person("dashboard"))
    assert errors(refused) == {"tracking_number": "use 1-64 letters and digits"}  # the number first


def test_without_a_chosen_courier_the_numbers_shape_decides_when_only_one_courier_uses_it(db):
    make_store(db)
    attached = order_service.attach_tracking(
        db, make_order(db).id, " 7043 8101 2680 18539", None, actor=person("dashboard")
    )
    assert (attached.courier, attached.tracking_number) == ("bring", BRING_CONSIGNMENT)
    s10 = make_s10("RR", 47_312_482, "SE")
    with pytest.raises(ValidationError) as ambiguous:
        order_service.attach_tracking(db, make_order(db).id, s10, None, actor=person("dashboard"))
    assert errors(ambiguous)["courier"] == "the number is in a format PostNord, Bring, DHL all use: choose the courier"
    with pytest.raises(ValidationError) as unknown:
        order_service.attach_tracking(db, make_order(db).id, "ABC123", None, actor=person("dashboard"))
    assert "choose the courier" in errors(unknown)["courier"]


def test_without_a_chosen_courier_the_orders_own_courier_is_used(db):
    make_store(db)
    order = order_service.attach_tracking(db, make_order(db).id, BRING_CONSIGNMENT, "bring", actor=person("dashboard"))
    s10 = make_s10("RR", 47_312_482, "SE")  # PostNord, Bring and DHL all print S10: the order says Bring
    replaced = order_service.attach_tracking(db, order.id, s10, None, actor=person("dashboard"))
    assert (replaced.courier, replaced.tracking_number) == ("bring", s10)
