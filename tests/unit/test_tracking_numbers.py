"""Check digits of UPU S10 and GS1 SSCC tracking numbers, against independently computed values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfile_core.domain.tracking_numbers import (
    gs1_check_digit,
    is_valid_s10,
    is_valid_sscc,
    make_s10,
    make_sscc,
    s10_check_digit,
)

# The SSCC from the Bring samples (tests/fixtures/contracts/couriers/bring_*.json) and PostNord's item id
# (tests/fixtures/contracts/couriers/postnord_*.json: "00" application identifier + SSCC).
BRING_SSCC = "370438101268058536"
POSTNORD_ITEM_ID = "00373500454541020957"


def reference_gs1(body: str) -> int:
    """GS1 General Specifications 7.9.1, written out: weights 3,1,3,... from the right."""
    total = 0
    for position, digit in enumerate(reversed(body)):
        total += int(digit) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def reference_s10(serial: str) -> int:
    """UPU S10 annex: weights 8,6,4,2,3,5,9,7; 11 - (sum mod 11), then 10 -> 0 and 11 -> 5."""
    check = 11 - sum(int(d) * w for d, w in zip(serial, [8, 6, 4, 2, 3, 5, 9, 7], strict=True)) % 11
    return 0 if check == 10 else 5 if check == 11 else check


# -- SSCC ------------------------------------------------------------------------------------


def test_sample_numbers_have_the_check_digits_we_compute() -> None:
    assert reference_gs1(BRING_SSCC[:17]) == int(BRING_SSCC[17]) == 6
    assert reference_gs1(POSTNORD_ITEM_ID[2:19]) == int(POSTNORD_ITEM_ID[19]) == 7


def test_sample_numbers_validate() -> None:
    assert is_valid_sscc(BRING_SSCC)
    assert is_valid_sscc(POSTNORD_ITEM_ID)  # with the "00" prefix
    assert is_valid_sscc(POSTNORD_ITEM_ID[2:])  # bare SSCC
    assert gs1_check_digit(BRING_SSCC[:17]) == 6
    assert make_sscc(BRING_SSCC[:17]) == BRING_SSCC


@pytest.mark.parametrize("wrong", [d for d in "0123456789" if d != "6"])
def test_every_other_check_digit_is_rejected(wrong: str) -> None:
    assert not is_valid_sscc(BRING_SSCC[:17] + wrong)
    assert not is_valid_sscc("00" + BRING_SSCC[:17] + wrong)


def test_gs1_check_digit_known_values() -> None:
    assert gs1_check_digit("0" * 17) == 0  # total 0 gives 0, not 10
    assert gs1_check_digit("00000000000000001") == 7  # rightmost digit weighs 3
    assert gs1_check_digit("00000000000000010") == 9  # next one weighs 1
    assert gs1_check_digit("629104150021") == 3  # GTIN-13 6291041500213 from the GS1 calculator


def test_transposed_digits_are_caught() -> None:
    swapped = BRING_SSCC[:3] + BRING_SSCC[4] + BRING_SSCC[3] + BRING_SSCC[5:]
    assert swapped != BRING_SSCC
    assert not is_valid_sscc(swapped)


@pytest.mark.parametrize(
    "number",
    [
        "",
        BRING_SSCC[:17],  # too short
        BRING_SSCC + "0",  # 19 digits
        "11" + BRING_SSCC,  # 20 digits without the "00" identifier
        "00" + BRING_SSCC + "0",
        " " + BRING_SSCC,
        BRING_SSCC[:-1] + "X",
        "-" + BRING_SSCC[1:],
        "²" * 18,  # str.isdigit() is true for superscripts, int() is not
        "".join(chr(0x0660 + int(d)) for d in BRING_SSCC),  # Arabic-Indic digits
    ],
)
def test_invalid_ssccs(number: str) -> None:
    assert is_valid_sscc(number) is False


def test_make_sscc_needs_17_digits() -> None:
    for body in ("", "1" * 16, "1" * 18):
        with pytest.raises(ValueError):
            make_sscc(body)
    with pytest.raises(ValueError):
        gs1_check_digit("12a4")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_every_made_sscc_validates(body: str) -> None:
    sscc = make_sscc(body)
    assert gs1_check_digit(body) == reference_gs1(body)
    assert is_valid_sscc(sscc)
    assert is_valid_sscc("00" + sscc)


# -- S10 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "RR473124829GB",  # the worked example in UPU S10
        "EE123456785SE",
        "CP000000080NO",  # serial 00000008: 11 - 56 % 11 = 10 -> 0
        "LX000000005DK",  # serial 00000000: 11 - 0 = 11 -> 5
    ],
)
def test_known_good_s10(number: str) -> None:
    assert reference_s10(number[2:10]) == int(number[10])
    assert is_valid_s10(number)


def test_check_digit_special_cases() -> None:
    assert s10_check_digit("47312482") == 9
    assert s10_check_digit("00000008") == 0  # 10 -> 0
    assert s10_check_digit("00000000") == 5  # 11 -> 5
    assert s10_check_digit("00000015") == 5  # 11 again: 1*9 + 5*7 = 44 = 4 * 11
    assert make_s10("CP", 8, "NO") == "CP000000080NO"
    assert make_s10("LX", 0, "DK") == "LX000000005DK"


@pytest.mark.parametrize(
    "number",
    [
        "RR473124828GB",  # wrong check digit
        "RR47312482GB",  # 7 serial digits + check
        "RR4731248299GB",  # 9 serial digits + check
        "rr473124829gb",  # S10 letters are upper case
        "R1473124829GB",
        "RR473124829G",
        " RR473124829GB",
        "RR473124829GB ",
        "RR473124829GB\n",
        "RR 47312482 9GB",
        "RR" + "".join(chr(0x0660 + int(d)) for d in "473124829") + "GB",  # Arabic-Indic digits
        "",
    ],
)
def test_invalid_s10(number: str) -> None:
    assert is_valid_s10(number) is False


@pytest.mark.parametrize("serial", ["", "1234567", "123456789", "1234567a", "١٢٣٤٥٦٧٨"])
def test_s10_serial_is_exactly_8_ascii_digits(serial: str) -> None:
    with pytest.raises(ValueError):
        s10_check_digit(serial)


@given(st.integers(0, 99_999_999))
def test_every_made_s10_validates_and_one_digit_off_does_not(serial: int) -> None:
    number = make_s10("RR", serial, "SE")
    assert is_valid_s10(number)
    assert int(number[10]) == reference_s10(number[2:10])
    other = str((int(number[10]) + 1) % 10)
    assert not is_valid_s10(number[:10] + other + number[11:])
