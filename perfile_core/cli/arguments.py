"""Argument types shared by the commands: the core's rules, reported the argparse way (exit 2)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from perfile_core.domain.errors import ValidationError
from perfile_core.services.validation import parse_user_date, parse_user_datetime

T = TypeVar("T")


def _argument_type(parse: Callable[..., T], field: str) -> Callable[[str], T]:
    def convert(value: str) -> T:
        try:
            return parse(value, field=field)
        except ValidationError as exc:
            # argparse reports only ArgumentTypeError/ValueError as "invalid argument".
            raise argparse.ArgumentTypeError(exc.reason) from None

    convert.__name__ = field  # argparse names the type in its message
    return convert


day: Callable[[str], date] = _argument_type(parse_user_date, "date")
aware_time: Callable[[str], datetime] = _argument_type(parse_user_datetime, "time")
