"""Turning pydantic's errors into our ValidationError, naming each field and why."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic

from perfile_core.domain.errors import ValidationError

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


def validate(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = [(".".join(str(part) for part in error["loc"]) or "input", _reason(error)) for error in exc.errors()]
        first, *rest = problems
        raise ValidationError(first[0], first[1], more=rest) from None


def _reason(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
