"""Field types for API input schemas that pydantic's lax mode would otherwise get wrong for us."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from egov.core.untrusted import MAX_INTEGER

# A PositiveIntegerField: what a row's version can hold.
MAX_VERSION = 2**31 - 1
# Paging further than this is never a person reading a list; narrow with filters instead.
MAX_OFFSET = 1_000_000
# The error type whose message is already the Vietnamese sentence for the user (see core.api_errors).
REFUSAL = "egov_refused"


def refusal(message: str) -> PydanticCustomError:
    """A validation error whose Vietnamese ``message`` reaches the client as it is."""
    return PydanticCustomError(REFUSAL, message)


def _not_a_bool(value: Any) -> Any:
    # Lax mode reads true as 1: "version": true would then act on version 1.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _whole(value: Any) -> Any:
    # Neither true (lax mode reads it as 1) nor 3.0 (lax mode drops the point): a count or a version is written
    # as digits. Text of digits stays accepted, as a multipart form sends it.
    if isinstance(value, bool | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_a_bool)]
# Constraints before the validator: after it, pydantic checks them but writes ``ge``/``le`` into the OpenAPI
# document instead of ``minimum``/``maximum``.
RecordVersion = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_VERSION,
        description="Phiên bản hồ sơ đã đọc (trường `version` của GET); người khác đã thao tác thì trả 409 "
        "`conflict` / the dossier's version as read; 409 `conflict` if someone acted meanwhile",
    ),
    BeforeValidator(_whole),
]
# A row's id (a BIGINT primary key).
Identifier = Annotated[int, Field(ge=1, le=MAX_INTEGER), BeforeValidator(_whole)]
