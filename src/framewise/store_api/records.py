"""The generic core's records: events and artefacts of a session, with typed JSON payloads.

Any workflow stores what it found as *events* (a type, a time, optionally the offset in the
video, a confidence, where it came from, and a JSON object of its own fields) and what it
produced as *artefacts* (a thumbnail, a clip, a mask file: a URI, a media type and a JSON
object). Raids and kills are the Tarkov profile's extension of this core
(:mod:`framewise.store_api.schemas`).

A payload is a JSON object checked strictly on both sides of the wire: no NaN or infinity
(JSON has none), at most :data:`~framewise.store_api.constants.PAYLOAD_MAX_DEPTH` levels deep
and :data:`~framewise.store_api.constants.PAYLOAD_MAX_BYTES` bytes as compact UTF-8 JSON.

Example:
    >>> EventCreate(type="kill", payload={"weapon": "AK-74"}).payload
    {'weapon': 'AK-74'}
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, JsonValue

from framewise.store_api.constants import (
    BATCH_MAX,
    MEDIA_TYPE_MAX,
    NAME_MAX,
    NOTES_MAX,
    PAYLOAD_MAX_BYTES,
    PAYLOAD_MAX_DEPTH,
)
from framewise.store_api.fields import ApiTime, Name, RequestBody, StoredRecord

MEDIA_TYPE_PATTERN = r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*$"
"""``type/subtype`` as RFC 6838 spells it, without parameters."""


def _check_payload(payload: dict[str, JsonValue]) -> dict[str, JsonValue]:
    # Walked with an explicit stack: a hostile body must not exhaust Python's recursion.
    stack: list[tuple[Any, int]] = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("payload numbers must be finite (JSON has no NaN or infinity)")
        if isinstance(value, dict | list):
            if depth > PAYLOAD_MAX_DEPTH:
                raise ValueError(f"payload nests deeper than {PAYLOAD_MAX_DEPTH} levels")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    size = len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    if size > PAYLOAD_MAX_BYTES:
        raise ValueError(f"payload is {size} bytes of JSON; at most {PAYLOAD_MAX_BYTES}")
    return payload


Payload = Annotated[dict[str, JsonValue], AfterValidator(_check_payload)]
"""A JSON object: finite numbers only, depth- and size-capped."""

# Strict: a JSON true is not a confidence of 1.0, nor "5" an id.
Confidence = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, strict=True)]
Offset = Annotated[float, Field(ge=0.0, allow_inf_nan=False, strict=True)]


def _whole_number(value: object) -> object:
    # JSON Schema counts 5.0 as an integer; strict int alone would refuse it (but not "5").
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# No upper bound in the schema (clients compare 2**63 - 1 as a float and overshoot it); an id
# past any stored one is simply not found.
RecordRef = Annotated[int, Field(ge=1, strict=True), BeforeValidator(_whole_number)]


# ----------------------------------------------------------------------------- events


class EventCreate(RequestBody):
    """One event to store in a session.

    Attributes:
        type: What happened (``kill``, ``scene_cut``, ``label:cat`` ...), free text.
        timestamp: When, as ISO-8601 (naive means UTC); now when left out.
        video_offset_seconds: Seconds from the start of the session's video, when known.
        confidence: The detector's confidence in [0, 1], when it has one.
        payload: The event's own fields.
        source: What produced it (a profile, a detector, a camera), when known.
    """

    type: Name
    timestamp: ApiTime | None = None
    video_offset_seconds: Offset | None = None
    confidence: Confidence | None = None
    payload: Payload = Field(default_factory=dict)
    source: str | None = Field(default=None, max_length=NAME_MAX)


class EventBatch(RequestBody):
    """``POST /api/sessions/{id}/events``: events stored together, all or nothing."""

    events: list[EventCreate] = Field(max_length=BATCH_MAX)


class EventsCreated(BaseModel):
    """``201`` of ``POST /api/sessions/{id}/events``: the new ids, in the batch's order."""

    event_ids: list[int]


class EventOut(StoredRecord):
    """A stored event; ``created_at`` is when the store received it."""

    event_id: int
    session_id: int
    type: str
    timestamp: datetime
    video_offset_seconds: float | None
    confidence: float | None
    payload: dict[str, JsonValue]
    source: str | None
    created_at: datetime


# ----------------------------------------------------------------------------- artefacts


class ArtefactCreate(RequestBody):
    """One artefact to store in a session (the file itself stays where ``uri`` says).

    Attributes:
        kind: What it is (``thumbnail``, ``clip``, ``mask`` ...), free text.
        uri: Where it is: a URL or a path.
        media_type: Its media type, e.g. ``image/jpeg``.
        event_id: The event of the same session it belongs to, if any.
        payload: Its own fields (size, frame index, ...).
    """

    kind: Name
    uri: str = Field(min_length=1, max_length=NOTES_MAX)
    media_type: str = Field(max_length=MEDIA_TYPE_MAX, pattern=MEDIA_TYPE_PATTERN)
    event_id: RecordRef | None = None
    payload: Payload = Field(default_factory=dict)


class ArtefactCreated(BaseModel):
    """``201`` of ``POST /api/sessions/{id}/artefacts``."""

    artefact_id: int


class ArtefactOut(StoredRecord):
    """A stored artefact; ``created_at`` is when the store received it."""

    artefact_id: int
    session_id: int
    event_id: int | None
    kind: str
    uri: str
    media_type: str
    payload: dict[str, JsonValue]
    created_at: datetime
