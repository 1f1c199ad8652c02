"""Statistics with the original app's semantics, as pure functions over rows.

The answers' shapes are the contract's (:mod:`framewise.store_api.stats`, re-exported here).

The rules (from PlaidCat/tarkov-stream-producer ``src/stats.rs``):

- a raid *survived* when its final (current) state is ``survived``;
- ``deaths`` = raids not survived, open raids included; ``kd_ratio`` = kills / deaths, or the
  kill count when there are no deaths; ``survival_rate`` = survived / total (0 without raids);
- the average raid duration counts ended raids only;
- time between raids: consecutive *ended* raids of the same session, ordered by start; the gap
  is the next start minus the previous end; negative gaps (overlapping data) are skipped;
- time before the first raid: first raid's start minus the session's start, per session;
  ``last_session`` is that delay for the most recent session that has a raid;
- time in state: the span between consecutive transitions, summed per state and keyed by the
  earlier one, so the final state has no duration.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from framewise.store_api.constants import GAME_MODES, SURVIVED_STATE
from framewise.store_api.stats import (
    BetweenRaids,
    FirstRaidDelay,
    GlobalStats,
    ModeBreakdown,
    RaidStats,
    RaidSummary,
    SessionStats,
    StateDuration,
)

__all__ = [
    "BetweenRaids",
    "FirstRaidDelay",
    "GlobalStats",
    "ModeBreakdown",
    "RaidRow",
    "RaidStats",
    "RaidSummary",
    "SessionRow",
    "SessionStats",
    "StateDuration",
    "TransitionRow",
    "between_raids",
    "by_mode",
    "first_raid_delay",
    "first_raid_delays",
    "gaps_between_raids",
    "global_stats",
    "session_stats",
    "summarize",
    "time_in_states",
]


@dataclass(frozen=True, slots=True)
class RaidRow:
    """What the statistics need of a raid."""

    raid_id: int
    session_id: int | None
    started_at: datetime
    ended_at: datetime | None
    game_mode: str
    current_state: str
    kills: int


@dataclass(frozen=True, slots=True)
class SessionRow:
    """What the statistics need of a session."""

    session_id: int
    started_at: datetime


@dataclass(frozen=True, slots=True)
class TransitionRow:
    """What the statistics need of a state transition."""

    to_state: str
    transitioned_at: datetime


def _seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def summarize(raids: Sequence[RaidRow]) -> RaidSummary:
    """Totals, survival rate, K/D and average duration of ``raids``."""
    total = len(raids)
    survived = sum(1 for r in raids if r.current_state == SURVIVED_STATE)
    kills = sum(r.kills for r in raids)
    deaths = total - survived
    durations = [_seconds(r.ended_at, r.started_at) for r in raids if r.ended_at is not None]
    return RaidSummary(
        total_raids=total,
        survived_raids=survived,
        survival_rate=survived / total if total else 0.0,
        total_kills=kills,
        kd_ratio=kills / deaths if deaths else float(kills),
        avg_raid_duration_seconds=sum(durations) / len(durations) if durations else 0.0,
    )


def by_mode(raids: Sequence[RaidRow]) -> ModeBreakdown:
    """The summary of PvE raids and of PvP raids."""
    pve_mode, pvp_mode = GAME_MODES
    return ModeBreakdown(
        pve=summarize([r for r in raids if r.game_mode == pve_mode]),
        pvp=summarize([r for r in raids if r.game_mode == pvp_mode]),
    )


def gaps_between_raids(raids: Iterable[RaidRow]) -> list[float]:
    """Non-negative gaps (seconds) between consecutive ended raids of each session."""
    per_session: dict[int, list[tuple[datetime, int, datetime]]] = defaultdict(list)
    for raid in raids:
        # A raid whose session was deleted (SET NULL) belongs to no session: no neighbours.
        if raid.session_id is not None and raid.ended_at is not None:
            per_session[raid.session_id].append((raid.started_at, raid.raid_id, raid.ended_at))
    gaps: list[float] = []
    for spans in per_session.values():
        for (_, _, previous_end), (next_start, _, _) in pairwise(sorted(spans)):
            gap = _seconds(next_start, previous_end)
            if gap >= 0:
                gaps.append(gap)
    return gaps


def between_raids(raids: Iterable[RaidRow]) -> BetweenRaids:
    """Count, total, average, shortest and longest gap between raids."""
    gaps = gaps_between_raids(raids)
    total = sum(gaps)
    return BetweenRaids(
        count=len(gaps),
        total_seconds=total,
        avg_seconds=total / len(gaps) if gaps else 0.0,
        shortest_seconds=min(gaps) if gaps else None,
        longest_seconds=max(gaps) if gaps else None,
    )


def first_raid_delay(session: SessionRow, raids: Iterable[RaidRow]) -> float | None:
    """Seconds from the session's start to its first raid; ``None`` without raids."""
    starts = [r.started_at for r in raids if r.session_id == session.session_id]
    return _seconds(min(starts), session.started_at) if starts else None


def first_raid_delays(sessions: Sequence[SessionRow], raids: Sequence[RaidRow]) -> FirstRaidDelay:
    """Average delay before the first raid over sessions that have one."""
    first_start: dict[int, datetime] = {}
    for raid in raids:
        if raid.session_id is None:
            continue
        known = first_start.get(raid.session_id)
        if known is None or raid.started_at < known:
            first_start[raid.session_id] = raid.started_at
    newest_first = sorted(sessions, key=lambda s: (s.started_at, s.session_id), reverse=True)
    delays = [
        _seconds(first_start[s.session_id], s.started_at)
        for s in newest_first
        if s.session_id in first_start
    ]
    return FirstRaidDelay(
        sessions=len(delays),
        avg_seconds=sum(delays) / len(delays) if delays else 0.0,
        last_session_seconds=delays[0] if delays else None,
    )


def time_in_states(transitions: Sequence[TransitionRow]) -> list[StateDuration]:
    """Seconds per state, keyed by the earlier transition's ``to_state``, in first-seen order.

    ``transitions`` must be in time order (the repository returns them so).
    """
    totals: dict[str, float] = {}
    for current, following in pairwise(transitions):
        span = _seconds(following.transitioned_at, current.transitioned_at)
        totals[current.to_state] = totals.get(current.to_state, 0.0) + span
    return [StateDuration(state=s, duration_seconds=d) for s, d in totals.items()]


def session_stats(session: SessionRow, raids: Sequence[RaidRow]) -> SessionStats:
    """Everything about one session; ``raids`` are that session's raids."""
    own = [r for r in raids if r.session_id == session.session_id]
    return SessionStats(
        **summarize(own).model_dump(),
        session_id=session.session_id,
        time_before_first_raid_seconds=first_raid_delay(session, own),
        between_raids=between_raids(own),
        by_mode=by_mode(own),
    )


def global_stats(
    sessions: Sequence[SessionRow], raids: Sequence[RaidRow], game_mode: str | None = None
) -> GlobalStats:
    """All-time statistics, over one game mode's raids when ``game_mode`` is given."""
    chosen = [r for r in raids if game_mode is None or r.game_mode == game_mode]
    return GlobalStats(
        **summarize(chosen).model_dump(),
        game_mode=game_mode,
        sessions=len(sessions),
        between_raids=between_raids(chosen),
        time_before_first_raid=first_raid_delays(sessions, chosen),
        by_mode=by_mode(chosen),
    )
