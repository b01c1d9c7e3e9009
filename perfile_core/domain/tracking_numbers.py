"""Tracking number formats Nordic couriers use (UPU S10, GS1 SSCC, ...) and their check digits."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from perfile_core.domain.couriers import courier_display_name

# ASCII only: \d would accept other scripts' digits; fullmatch, as $ allows a trailing newline.
_S10 = re.compile(r"([A-Z]{2})(\d{8})(\d)([A-Z]{2})", re.ASCII)
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() is also true for "²" and "٣", which int() rejects or no courier prints.
    return text.isascii() and text.isdigit()


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit over 8 serial digits (11 - sum mod 11; 10->0, 11->5)."""
    if len(serial) != 8 or not _is_ascii_digits(serial):
        raise ValueError("an S10 serial is exactly 8 digits")
    check = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def make_s10(prefix: str, serial: int, country: str) -> str:
    digits = f"{serial:08d}"
    return f"{prefix}{digits}{s10_check_digit(digits)}{country}"


def is_valid_s10(number: str) -> bool:
    match = _S10.fullmatch(number)
    return bool(match) and s10_check_digit(match.group(2)) == int(match.group(3))


def gs1_check_digit(digits: str) -> int:
    """GS1 mod-10 check digit (weights 3,1,3,... from the right) for SSCC and GTIN."""
    if not _is_ascii_digits(digits):
        raise ValueError("GS1 numbers are digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def make_sscc(body17: str) -> str:
    """18-digit SSCC from 17 digits (extension digit + company prefix + serial)."""
    if len(body17) != 17:
        raise ValueError("an SSCC body is exactly 17 digits")
    return body17 + str(gs1_check_digit(body17))


def is_valid_sscc(number: str) -> bool:
    digits = number[2:] if len(number) == 20 and number.startswith("00") else number
    return len(digits) == 18 and _is_ascii_digits(digits) and gs1_check_digit(digits[:17]) == int(digits[17])


def _is_gsin(number: str) -> bool:
    """A 17-digit GS1 shipment number (Bring's consignment number), check digit verified."""
    return len(number) == 17 and _is_ascii_digits(number) and gs1_check_digit(number[:16]) == int(number[16])


@dataclass(frozen=True)
class TrackingFormat:
    """One shape a courier prints: what an operator is told, and whether a number has that shape and its check."""

    description: str
    shape: re.Pattern[str]
    check: Callable[[str], bool] | None = None  # None: the format has no check digit we know of


S10 = TrackingFormat(
    "UPU S10 (2 letters, 8 digits, a check digit, 2-letter country, e.g. RR473124829SE)",
    re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}", re.ASCII),
    is_valid_s10,
)
SSCC = TrackingFormat("18-digit SSCC with its check digit", re.compile(r"\d{18}", re.ASCII), is_valid_sscc)
ITEM_ID_SSCC = TrackingFormat(
    '"00" + 18-digit SSCC with its check digit (20 digits)', re.compile(r"00\d{18}", re.ASCII), is_valid_sscc
)
BRING_CONSIGNMENT = TrackingFormat(
    "17-digit consignment number with its check digit", re.compile(r"\d{17}", re.ASCII), _is_gsin
)
# DHL Express waybills: no check digit is verified, as DHL does not publish one for every range.
DHL_EXPRESS_WAYBILL = TrackingFormat("10-digit DHL Express waybill", re.compile(r"\d{10}", re.ASCII))
DHL_ECOMMERCE = TrackingFormat("DHL eCommerce JJD or JD + 10-20 digits", re.compile(r"JJ?D\d{10,20}", re.ASCII))
# Budbee, Instabox and any courier added later publish no format; all we can say is what a tracking
# number looks like anywhere.
ANY_ALPHANUMERIC = TrackingFormat("6-40 letters and digits", re.compile(r"[A-Z0-9]{6,40}", re.ASCII))

COURIER_TRACKING_FORMATS: dict[str, tuple[TrackingFormat, ...]] = {
    "postnord": (S10, ITEM_ID_SSCC),
    "bring": (BRING_CONSIGNMENT, SSCC, S10),
    # The "00" + SSCC form is what DHL Parcel Connect returns (contracts: dhl_unified_tracking_response.json).
    "dhl": (DHL_EXPRESS_WAYBILL, DHL_ECOMMERCE, ITEM_ID_SSCC, S10),
    "sandbox": (SSCC,),  # what SandboxCourier books
}


def tracking_format_problem(courier: str, number: str) -> str | None:
    """None when an upper-case, space-free number is in a format the courier uses, else what is wrong
    and which formats it uses."""
    formats = COURIER_TRACKING_FORMATS.get(courier, (ANY_ALPHANUMERIC,))
    shaped = [fmt for fmt in formats if fmt.shape.fullmatch(number)]
    if any(fmt.check is None or fmt.check(number) for fmt in shaped):
        return None
    courier_name = courier_display_name(courier)
    expected = "; ".join(fmt.description for fmt in formats)
    if shaped:
        return f"the check digit does not match (a typing error?); {courier_name} uses: {expected}"
    return f"not a {courier_name} tracking number; {courier_name} uses: {expected}"


def couriers_for_number(number: str) -> list[str]:
    """The couriers with a published format that an upper-case, space-free `number` is in (check
    digit included), in the order of COURIER_TRACKING_FORMATS. Couriers without one are never guessed."""
    return [
        courier
        for courier, formats in COURIER_TRACKING_FORMATS.items()
        if any(fmt.shape.fullmatch(number) and (fmt.check is None or fmt.check(number)) for fmt in formats)
    ]
