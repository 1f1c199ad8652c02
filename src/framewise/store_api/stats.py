"""Answers of the statistics endpoints (the Tarkov profile's raid statistics).

Only the shapes live here; the server computes them in ``framewise.store.stats`` with the
original app's rules. Durations are in seconds.
"""

from __future__ import annotations

from datetime import datetime

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


# ----------------------------------------------------------------------------- chart figures
# The dashboard's charts, the overlay and ``framewise stats`` read these. Every list is over
# the raids that pass the request's filters (game mode; start time in [since, until)).


class StatsFilters(BaseModel):
    """The filters an answer was computed with (echoed back)."""

    game_mode: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class SessionPoint(BaseModel):
    """One session's figures over its filtered raids (a point of the per-session charts)."""

    session_id: int
    started_at: datetime
    ended_at: datetime | None
    session_type: str | None
    raids: int
    survived: int
    kills: int
    deaths: int
    kd_ratio: float
    survival_rate: float
    avg_raid_duration_seconds: float | None


class SessionsChart(BaseModel):
    """``GET /api/stats/sessions``: sessions with a filtered raid, oldest first."""

    filters: StatsFilters
    sessions: list[SessionPoint]


class MapPoint(BaseModel):
    """One map's figures."""

    map_name: str
    raids: int
    survived: int
    survival_rate: float
    kills: int
    kd_ratio: float
    avg_raid_duration_seconds: float | None


class MapsChart(BaseModel):
    """``GET /api/stats/maps``: maps by raid count (most played first)."""

    filters: StatsFilters
    maps: list[MapPoint]


class KillGroup(BaseModel):
    """Kills of one weapon or one enemy type."""

    name: str
    kills: int
    headshots: int


class KillsChart(BaseModel):
    """``GET /api/stats/kills``: kills by weapon and by enemy type, and the headshot share.

    ``headshot_share`` is headshots over the kills whose headshot flag is known (``null``
    when none is); a kill without a weapon is counted under ``unknown``.
    """

    filters: StatsFilters
    total_kills: int
    headshots: int
    headshot_known: int
    headshot_share: float | None
    by_weapon: list[KillGroup]
    by_enemy: list[KillGroup]


class HistogramBin(BaseModel):
    """``count`` values in ``[start_seconds, end_seconds)``."""

    start_seconds: float
    end_seconds: float
    count: int


class Histogram(BaseModel):
    """Values binned at a round width (30 s, 1, 2, 5, 10, 15, 30 min, 1 h, ...)."""

    count: int
    bin_seconds: float
    min_seconds: float | None
    median_seconds: float | None
    max_seconds: float | None
    bins: list[HistogramBin]


class DurationsChart(BaseModel):
    """``GET /api/stats/durations``: ended raids' lengths and the gaps between raids."""

    filters: StatsFilters
    raid_durations: Histogram
    between_raids: Histogram


class TimelineBand(BaseModel):
    """A span of a session in one band: ``menu``, ``queue``, ``raid`` or ``terminal``.

    ``state`` is the stored state (``menu`` outside raids). A terminal state is where a raid
    ended: the store keeps no screens after it, so that band is as long as the raid's last
    state lasted (often zero: the final state is logged at the end time).
    """

    band: str
    state: str
    raid_id: int | None
    start: datetime
    end: datetime


class TimelineKill(BaseModel):
    """A kill marked on the timeline."""

    raid_id: int
    at: datetime
    enemy_type: str
    weapon: str | None
    headshot: bool | None


class TimelineChart(BaseModel):
    """``GET /api/stats/timeline``: one session's bands and kills, in time order."""

    session_id: int
    started_at: datetime
    ended_at: datetime
    bands: list[TimelineBand]
    kills: list[TimelineKill]


class StatsVersion(BaseModel):
    """``GET /api/stats/version``: a token that changes whenever a figure may have changed.

    A page polls it and fetches the charts again only when ``version`` differs (a session
    or raid added, ended or removed; a transition or kill added or removed).
    """

    version: str
    sessions: int
    raids: int
    kills: int


class StatsReport(BaseModel):
    """Everything ``framewise stats`` prints (and ``--json`` writes), from the API or a file."""

    filters: StatsFilters
    all_time: GlobalStats
    sessions: list[SessionPoint]
    maps: list[MapPoint]
    kills: KillsChart
    durations: DurationsChart
