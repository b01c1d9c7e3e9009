"""Check digits for the tracking number formats Nordic couriers use (UPU S10, GS1 SSCC)."""

from __future__ import annotations

import re

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
