"""Answers of the statistics endpoints (the Tarkov profile's raid statistics).

Only the shapes live here; the server computes them in ``framewise.store.stats`` with the
original app's rules. Durations are in seconds.
"""

from __future__ import annotations

from pydantic import BaseModel


class RaidSummary(BaseModel):
    """The original's ``SessionStats`` (durations in seconds)."""

    total_raids: int
    survived_raids: int
    survival_rate: float
    total_kills: int
    kd_ratio: float
    avg_raid_duration_seconds: float


class BetweenRaids(BaseModel):
    """Gaps between consecutive ended raids of a session."""

    count: int
    total_seconds: float
    avg_seconds: float
    shortest_seconds: float | None
    longest_seconds: float | None


class FirstRaidDelay(BaseModel):
    """Time from a session's start to its first raid, over sessions."""

    sessions: int
    avg_seconds: float
    last_session_seconds: float | None


class ModeBreakdown(BaseModel):
    """The summary per game mode."""

    pve: RaidSummary
    pvp: RaidSummary


class SessionStats(RaidSummary):
    """``GET /api/stats/session/{id}``: the original's fields, then ours."""

    session_id: int
    time_before_first_raid_seconds: float | None
    between_raids: BetweenRaids
    by_mode: ModeBreakdown


class GlobalStats(RaidSummary):
    """``GET /api/stats/global``: all raids, or one game mode's."""

    game_mode: str | None
    sessions: int
    between_raids: BetweenRaids
    time_before_first_raid: FirstRaidDelay
    by_mode: ModeBreakdown


class StateDuration(BaseModel):
    """Seconds spent in one state, over every visit."""

    state: str
    duration_seconds: float


class RaidStats(BaseModel):
    """``GET /api/stats/raid/{id}``."""

    raid_id: int
    state_durations: list[StateDuration]
    kill_count: int
    duration_seconds: float | None
