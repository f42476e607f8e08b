"""Field types for API input schemas that pydantic's lax mode would otherwise get wrong for us."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

# A PositiveIntegerField: what a row's version can hold.
MAX_VERSION = 2**31 - 1
# Paging further than this is never a person reading a list; narrow with filters instead.
MAX_OFFSET = 1_000_000


def _not_a_bool(value: Any) -> Any:
    # Lax mode reads true as 1: "version": true would then act on version 1.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_a_bool)]
RecordVersion = Annotated[int, BeforeValidator(_not_a_bool), Field(ge=0, le=MAX_VERSION)]
