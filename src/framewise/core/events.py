"""Events and the JSON event log (seed W0's ``metadata`` + ``events`` format).

The log carries a ``schema_version``. Version 0 is the seed's original format (no version
field, no review flags); readers accept it and every later version. Unknown fields are kept,
so a log written by a newer tool survives a round trip through an older one. Every number is
finite, the free-form data and unknown fields included: JSON has no NaN or Infinity, and a log
holding one could be written by Python but read by nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from framewise.core.jsonfile import first_non_finite
from framewise.core.time import format_iso8601, utc

SCHEMA_VERSION = 1

DELETED_EVENTS_KEY = "deleted_events"
"""Top-level list of the events a reviewer deleted (false positives the training loop needs)."""

JsonValue = str | int | float | bool | None | list[Any] | dict[str, Any]


def _finite(value: Any) -> Any:
    """``value`` if every number in it is finite (pydantic does not look inside ``Any``)."""
    where = first_non_finite(value)
    if where is not None:
        raise ValueError(f"{where} is not a finite number (JSON has no NaN or Infinity)")
    return value


JsonData = Annotated[dict[str, JsonValue], AfterValidator(_finite)]
"""Free-form JSON fields (an event's ``data``): any JSON value, with finite numbers only."""


class _FiniteModel(BaseModel):
    """Finite numbers in every field, unknown (extra) fields included."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    @model_validator(mode="after")
    def _finite_extras(self) -> _FiniteModel:
        _finite(self.model_extra or {})
        return self


UtcDatetime = Annotated[datetime, PlainSerializer(format_iso8601, return_type=str)]
"""An aware UTC datetime that serialises as ``2026-01-15T18:05:23Z``."""


class Event(_FiniteModel):
    """One detected (or reviewer-added) event.

    Attributes:
        event_id: Unique within the log, e.g. ``evt_001``.
        type: ``raid_start``, ``kill``, ``state_transition``, ...
        timestamp: Wall-clock time (session start + video offset).
        video_offset_seconds: Seconds from the video's first frame (PTS-based).
        frame_number: Frame index hint for the event's frame.
        confidence: Detection confidence in [0, 1].
        data: Event fields (``map_name``, ``weapon``, ...).
        thumbnail: Path of the event's JPEG, relative to the log's folder.
        manually_reviewed: A reviewer touched this event.
        approved: A reviewer confirmed this event.
        added_by_reviewer: The event was added by hand (a false negative of the model).
        original: The values before the first manual edit, kept for the training loop.
    """

    event_id: str
    type: str
    timestamp: UtcDatetime
    video_offset_seconds: float = Field(ge=0)
    frame_number: int = Field(ge=0)
    confidence: float = Field(ge=0, le=1)
    data: JsonData = Field(default_factory=dict)
    thumbnail: str | None = None
    manually_reviewed: bool = False
    approved: bool = False
    added_by_reviewer: bool = False
    original: JsonData | None = None

    @field_validator("timestamp")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)


class LogMetadata(_FiniteModel):
    """The ``metadata`` block of an event log.

    The first eight fields are the seed's; the rest were added in schema version 1:
    ``complete`` is false while a run is in progress (a resumable checkpoint).
    """

    video_path: str
    session_start_time: UtcDatetime
    session_type: str = "stream"
    video_duration_seconds: float = Field(ge=0)
    total_frames: int = Field(ge=0)
    detection_fps: float = Field(gt=0)
    model_version: str = ""
    processed_at: UtcDatetime
    manually_reviewed: bool = False
    session_start_origin: str | None = None
    pipeline: str | None = None
    complete: bool = True
    processed_until_seconds: float | None = None
    frames_processed: int | None = None
    source_stats: JsonData | None = None

    @field_validator("session_start_time", "processed_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)


class EventLog(_FiniteModel):
    """A whole event log: metadata plus events in time order."""

    schema_version: int = Field(default=0, ge=0)
    metadata: LogMetadata
    events: list[Event] = Field(default_factory=list)

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {value} is newer than this framewise understands "
                f"({SCHEMA_VERSION}); upgrade framewise"
            )
        return value

    def to_json_dict(self) -> dict[str, Any]:
        """The log as JSON-ready data, always written at the current schema version."""
        payload = self.model_dump(mode="json")
        payload["schema_version"] = SCHEMA_VERSION
        return payload
