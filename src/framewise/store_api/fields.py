"""Field types and base models shared by every body of the store's contract.

Every write accepts an optional ISO-8601 time that is used instead of now(). Times without an
offset are UTC; times with one are converted to UTC. Unknown fields of a request are ignored,
as serde does by default in the original app.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from framewise.core.time import utc
from framewise.store_api.constants import NAME_MAX

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(value: object) -> object:
    # pydantic would also take numbers and numeric strings as Unix times; the contract
    # (OpenAPI "format: date-time") says ISO-8601 text, and a number is more likely a bug.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        raise ValueError("expected an ISO-8601 date-time such as 2026-01-15T18:00:00Z")
    return value


def _to_utc(value: datetime) -> datetime:
    try:
        return utc(value)
    except OverflowError:
        # An offset that pushes the time past year 1 or 9999 has no UTC equivalent.
        raise ValueError("time is out of range once converted to UTC") from None


ApiTime = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_to_utc)]
"""An ISO-8601 time; naive means UTC; returned as UTC with a ``Z``."""

# Strict: the contract says string, so a number or a boolean is refused, never converted.
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX, strict=True)]
"""A non-empty name-like text (a state, a map, an enemy, a weapon)."""
OptionalName = Annotated[str | None, Field(default=None, max_length=NAME_MAX, strict=True)]


class RequestBody(BaseModel):
    """Base of request bodies: unknown fields ignored, aliases and names both accepted."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class StoredRecord(BaseModel):
    """Base of answers built from stored rows (read from attributes)."""

    model_config = ConfigDict(from_attributes=True)
