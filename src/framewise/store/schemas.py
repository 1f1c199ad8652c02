"""Request and response bodies of the event store API (the original's DTOs, plus ours).

Every write accepts an optional ISO-8601 time that is used instead of now(). Times without an
offset are UTC; times with one are converted to UTC. Field names follow the issue's contract;
the original Rust app's names (``weapon_used``, ``killed_at``) are accepted as well, so a
client written for either server works against this one. Unknown fields are ignored, as
serde does by default.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from framewise.core.time import utc

SessionType = Literal["stream", "practice", "casual"]
CharacterType = Literal["pmc", "scav"]
GameMode = Literal["pve", "pvp"]

NAME_MAX = 200
NOTES_MAX = 10_000
IMPORT_KEY_MAX = 64
BATCH_MAX = 100_000


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

Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
OptionalName = Annotated[str | None, Field(default=None, max_length=NAME_MAX)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _Record(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ----------------------------------------------------------------------------- requests


class CreateSessionRequest(_Body):
    """``POST /api/session``; ``source_video`` and ``import_key`` serve duplicate detection."""

    session_type: SessionType
    notes: str | None = Field(default=None, max_length=NOTES_MAX)
    started_at: ApiTime | None = None
    source_video: str | None = Field(default=None, max_length=NOTES_MAX)
    import_key: str | None = Field(default=None, min_length=1, max_length=IMPORT_KEY_MAX)


class EndSessionRequest(_Body):
    """``POST /api/session/end`` (the body itself is optional)."""

    ended_at: ApiTime | None = None


class CreateRaidRequest(_Body):
    """``POST /api/raid``: the raid joins the current session."""

    map_name: Name
    character_type: CharacterType
    game_mode: GameMode
    started_at: ApiTime | None = None


class TransitionRequest(_Body):
    """``POST /api/raid/{id}/transition``."""

    to_state: Name
    transitioned_at: ApiTime | None = None


class KillRequest(_Body):
    """``POST /api/raid/{id}/kill`` and one item of a batch."""

    enemy_type: Name
    weapon: str | None = Field(
        default=None, max_length=NAME_MAX, validation_alias=AliasChoices("weapon", "weapon_used")
    )
    headshot: bool | None = None
    timestamp: ApiTime | None = Field(
        default=None, validation_alias=AliasChoices("timestamp", "killed_at")
    )


class BatchKillsRequest(_Body):
    """``POST /api/raid/current/kills/batch``."""

    kills: list[KillRequest] = Field(max_length=BATCH_MAX)


class EndRaidRequest(_Body):
    """``POST /api/raid/{id}/end``: logs a transition to ``final_state``, then closes the raid."""

    final_state: Name
    extract_location: OptionalName = None
    ended_at: ApiTime | None = None


class ImportTransition(_Body):
    """A state change inside an imported raid."""

    to_state: Name
    transitioned_at: ApiTime


class ImportKill(_Body):
    """A kill inside an imported raid."""

    enemy_type: Name
    weapon: str | None = Field(
        default=None, max_length=NAME_MAX, validation_alias=AliasChoices("weapon", "weapon_used")
    )
    headshot: bool | None = None
    timestamp: ApiTime = Field(validation_alias=AliasChoices("timestamp", "killed_at"))


class ImportRaidEnd(_Body):
    """How an imported raid ended."""

    final_state: Name
    extract_location: OptionalName = None
    ended_at: ApiTime


class ImportRaid(_Body):
    """One raid of an imported session; ``end`` is null for a raid left open."""

    map_name: Name
    character_type: CharacterType
    game_mode: GameMode
    started_at: ApiTime
    transitions: list[ImportTransition] = Field(default_factory=list, max_length=BATCH_MAX)
    kills: list[ImportKill] = Field(default_factory=list, max_length=BATCH_MAX)
    end: ImportRaidEnd | None = None


class ImportSessionHeader(_Body):
    """The session of an import."""

    session_type: SessionType = "stream"
    notes: str | None = Field(default=None, max_length=NOTES_MAX)
    started_at: ApiTime
    ended_at: ApiTime | None = None
    source_video: str | None = Field(default=None, max_length=NOTES_MAX)
    import_key: str | None = Field(default=None, min_length=1, max_length=IMPORT_KEY_MAX)


class ImportSessionRequest(_Body):
    """``POST /api/import/session``: a whole session in one transaction, all or nothing."""

    session: ImportSessionHeader
    raids: list[ImportRaid] = Field(default_factory=list, max_length=BATCH_MAX)


# ----------------------------------------------------------------------------- responses


class SessionResponse(_Record):
    """A stored session."""

    session_id: int
    session_type: str | None
    started_at: datetime
    ended_at: datetime | None
    notes: str | None
    source_video: str | None = None
    import_key: str | None = None


class RaidResponse(_Record):
    """A stored raid (the original's ``RaidResponse``; ``session_id`` may be null)."""

    raid_id: int
    session_id: int | None
    started_at: datetime
    ended_at: datetime | None
    map_name: str
    character_type: str
    game_mode: str
    current_state: str
    extract_location: str | None


class TransitionResponse(_Record):
    """A stored state transition."""

    transition_id: int
    raid_id: int
    from_state: str | None
    to_state: str
    transitioned_at: datetime


class RaidDetailResponse(RaidResponse):
    """A raid with its transitions and kill count (``GET /api/raid/{id}``)."""

    transitions: list[TransitionResponse]
    kill_count: int


class KillResponse(_Record):
    """A stored kill (the original's ``KillResponse``)."""

    kill_id: int
    raid_id: int
    killed_at: datetime
    enemy_type: str
    weapon_used: str | None
    headshot: bool | None


class SessionCreated(BaseModel):
    """``201`` of ``POST /api/session``."""

    session_id: int


class RaidCreated(BaseModel):
    """``201`` of ``POST /api/raid``."""

    raid_id: int


class KillCreated(BaseModel):
    """``201`` of ``POST /api/raid/{id}/kill``."""

    kill_id: int


class KillsCreated(BaseModel):
    """``201`` of the batch endpoint."""

    kill_ids: list[int]


class TransitionCreated(BaseModel):
    """``201`` of ``POST /api/raid/{id}/transition``."""

    transition_id: int
    from_state: str | None
    to_state: str


class Ended(BaseModel):
    """``200`` of the end endpoints (the original's ``{status, session_id, message}``)."""

    status: Literal["success"] = "success"
    session_id: int | None = None
    raid_id: int | None = None
    message: str


class ImportCreated(BaseModel):
    """``201`` of ``POST /api/import/session``."""

    session_id: int
    raid_ids: list[int]
    transitions: int
    kills: int


class HealthResponse(BaseModel):
    """``GET /health``."""

    status: Literal["ok"] = "ok"
    schema_revision: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))


class ErrorDetail(BaseModel):
    """What went wrong: a stable code and a sentence."""

    code: str
    message: str


class ErrorResponse(BaseModel):
    """Every error body: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail
