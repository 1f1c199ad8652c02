"""Request and response bodies of the original REST contract (the original's DTOs, plus ours).

Sessions belong to the generic core; raids, state transitions and kills are the Tarkov
profile's extension of it (see :mod:`framewise.store_api.records` for the core's events and
artefacts). Every write accepts an optional ISO-8601 time that is used instead of now().
Times without an offset are UTC; times with one are converted to UTC. Field names follow the
issue's contract; the original Rust app's names (``weapon_used``, ``killed_at``) are accepted
as well, so a client written for either server works against this one. Unknown fields are
ignored, as serde does by default.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, StrictBool

from framewise.store_api.constants import (
    BATCH_MAX,
    IMPORT_KEY_MAX,
    NAME_MAX,
    NOTES_MAX,
)
from framewise.store_api.fields import ApiTime, Name, OptionalName
from framewise.store_api.fields import RequestBody as _Body
from framewise.store_api.fields import StoredRecord as _Record

SessionType = Literal["stream", "practice", "casual"]
CharacterType = Literal["pmc", "scav"]
GameMode = Literal["pve", "pvp"]

__all__ = [
    "BATCH_MAX",
    "IMPORT_KEY_MAX",
    "NAME_MAX",
    "NOTES_MAX",
    "ApiTime",
    "BatchKillsRequest",
    "CharacterType",
    "CreateRaidRequest",
    "CreateSessionRequest",
    "EndRaidRequest",
    "EndSessionRequest",
    "Ended",
    "ErrorDetail",
    "ErrorResponse",
    "GameMode",
    "HealthResponse",
    "ImportCreated",
    "ImportKill",
    "ImportRaid",
    "ImportRaidEnd",
    "ImportSessionHeader",
    "ImportSessionRequest",
    "ImportTransition",
    "KillCreated",
    "KillRequest",
    "KillResponse",
    "KillsCreated",
    "Name",
    "OptionalName",
    "RaidCreated",
    "RaidDetailResponse",
    "RaidResponse",
    "SessionCreated",
    "SessionResponse",
    "SessionType",
    "TransitionCreated",
    "TransitionRequest",
    "TransitionResponse",
]


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
    weapon: Name | None = Field(
        default=None, validation_alias=AliasChoices("weapon", "weapon_used")
    )
    headshot: StrictBool | None = None
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
    weapon: Name | None = Field(
        default=None, validation_alias=AliasChoices("weapon", "weapon_used")
    )
    headshot: StrictBool | None = None
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
