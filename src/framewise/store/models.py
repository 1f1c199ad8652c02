"""Database models: a generic core, and the original's raid tables as the Tarkov extension.

The generic core is ``stream_sessions`` (one session of any workflow), ``events`` (what was
found, with a JSON payload) and ``artefacts`` (files produced, with a JSON payload); both
belong to a session and go with it (``ON DELETE CASCADE``). Raids, raid state transitions and
kills are the Tarkov profile's extension of that core: they hang off sessions too and keep
exactly the original REST contract.

The extension's tables, columns, CHECK constraints, foreign-key actions and index names follow
the original Rust app (``migrations/20251226000000_initial_schema.sql`` of
PlaidCat/tarkov-stream-producer). Two session columns are ours: ``stream_sessions.source_video``
(the video a session was imported from) and ``stream_sessions.import_key`` (unique; the
importer's key for "this log was already imported"). The Alembic migrations in ``migrations/``
create exactly this schema (0001 the original's, 0002 the core's events and artefacts); a test
compares the two. Allowed values come from the contract (:mod:`framewise.store_api.constants`).

Times are stored as naive UTC with microseconds, and read back as aware UTC, so a historical
time given to the API comes back exactly as given.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from framewise.store_api.constants import (
    CHARACTER_TYPES,
    GAME_MODES,
    INITIAL_RAID_STATE,
    SESSION_TYPES,
)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime stored as naive UTC (every database keeps it exactly)."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware datetime → naive UTC for the database."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Naive UTC from the database → aware UTC."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


# ----------------------------------------------------------------------------- generic core


class StreamSession(Base):
    """One session of any workflow (``stream_sessions``; the original's streaming session)."""

    __tablename__ = "stream_sessions"
    __table_args__ = (
        CheckConstraint(_in("session_type", SESSION_TYPES), name="ck_sessions_session_type"),
        Index("idx_sessions_started_at", "started_at"),
        Index("idx_sessions_source_video", "source_video"),
    )

    session_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.current_timestamp()
    )
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    session_type: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_video: Mapped[str | None] = mapped_column(Text, nullable=True)
    import_key: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)


class Event(Base):
    """One event of a session (``events``): the generic core's record of what was found."""

    __tablename__ = "events"
    __table_args__ = (
        Index("idx_events_session_time", "session_id", "timestamp"),
        Index("idx_events_type", "type"),
    )

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("stream_sessions.session_id", ondelete="CASCADE"), nullable=False
    )
    type: Mapped[str] = mapped_column(Text, nullable=False)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    video_offset_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.current_timestamp()
    )


class Artefact(Base):
    """One file a session produced (``artefacts``), optionally tied to one of its events."""

    __tablename__ = "artefacts"
    __table_args__ = (
        Index("idx_artefacts_session_id", "session_id"),
        Index("idx_artefacts_event_id", "event_id"),
    )

    artefact_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("stream_sessions.session_id", ondelete="CASCADE"), nullable=False
    )
    event_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("events.event_id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    uri: Mapped[str] = mapped_column(Text, nullable=False)
    media_type: Mapped[str] = mapped_column(Text, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.current_timestamp()
    )


# ----------------------------------------------------------------------------- tarkov extension
# Raids, their state transitions and kills: the Tarkov profile's extension of the generic core,
# kept exactly as the original app's schema so its REST contract stays unchanged.


class Raid(Base):
    """One raid attempt (``raids``); open while ``ended_at`` is NULL."""

    __tablename__ = "raids"
    __table_args__ = (
        CheckConstraint(_in("character_type", CHARACTER_TYPES), name="ck_raids_character_type"),
        CheckConstraint(_in("game_mode", GAME_MODES), name="ck_raids_game_mode"),
        Index("idx_raids_session_id", "session_id"),
        Index("idx_raids_started_at", "started_at"),
        Index("idx_raids_current_state", "current_state"),
        Index("idx_raids_games_mode", "game_mode"),
    )

    raid_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("stream_sessions.session_id", ondelete="SET NULL"), nullable=True
    )
    started_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.current_timestamp()
    )
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    map_name: Mapped[str] = mapped_column(Text, nullable=False)
    character_type: Mapped[str] = mapped_column(Text, nullable=False)
    game_mode: Mapped[str] = mapped_column(Text, nullable=False)
    current_state: Mapped[str] = mapped_column(
        Text, nullable=False, server_default=INITIAL_RAID_STATE
    )
    extract_location: Mapped[str | None] = mapped_column(Text, nullable=True)


class RaidStateTransition(Base):
    """One state change of a raid (``raid_state_transitions``)."""

    __tablename__ = "raid_state_transitions"
    __table_args__ = (
        Index("idx_transitions_raid_id", "raid_id"),
        Index("idx_transitions_to_state", "to_state"),
        Index("idx_transitions_time", "transitioned_at"),
    )

    transition_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    raid_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("raids.raid_id", ondelete="CASCADE"), nullable=False
    )
    from_state: Mapped[str | None] = mapped_column(Text, nullable=True)
    to_state: Mapped[str] = mapped_column(Text, nullable=False)
    transitioned_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.current_timestamp()
    )


class Kill(Base):
    """One kill during a raid (``kills``)."""

    __tablename__ = "kills"
    __table_args__ = (
        Index("idx_kills_raid_id", "raid_id"),
        Index("idx_kills_enemy_type", "enemy_type"),
    )

    kill_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    raid_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("raids.raid_id", ondelete="CASCADE"), nullable=False
    )
    killed_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.current_timestamp()
    )
    enemy_type: Mapped[str] = mapped_column(Text, nullable=False)
    weapon_used: Mapped[str | None] = mapped_column(Text, nullable=True)
    headshot: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
