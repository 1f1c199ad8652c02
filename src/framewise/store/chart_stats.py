"""The dashboard's chart figures, as pure functions over rows (the repository reads them).

Each answer is over the raids that pass the filters (game mode; start in ``[since, until)``)
and uses the rules of :mod:`framewise.store.stats`: a raid survived when its final state is
``survived``, deaths are the other raids, K/D is kills over deaths (the kill count without
deaths), durations count ended raids, gaps are between consecutive ended raids of a session.

The timeline puts every stored state in one of four bands (:data:`STATE_BANDS`): ``menu``
(outside raids, and a raid's stash/selection states), ``queue`` (matching, loading,
deploying), ``raid`` and ``terminal`` (the outcome and the screens after it). A state not in
the table is in the raid: the store only holds states logged while a raid was open.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from framewise.store.stats import RaidRow, gaps_between_raids, summarize
from framewise.store_api.constants import INITIAL_RAID_STATE
from framewise.store_api.stats import (
    DurationsChart,
    Histogram,
    HistogramBin,
    KillGroup,
    KillsChart,
    MapPoint,
    MapsChart,
    SessionPoint,
    SessionsChart,
    StatsFilters,
    TimelineBand,
    TimelineChart,
    TimelineKill,
)

UNKNOWN_WEAPON = "unknown"
"""The group of kills stored without a weapon."""

MENU, QUEUE, RAID, TERMINAL = "menu", "queue", "raid", "terminal"
"""The timeline's bands, in the order a raid goes through them."""

STATE_BANDS: dict[str, str] = {
    # The original app's states and the Tarkov profile's screens (state_machine.yaml).
    INITIAL_RAID_STATE: MENU,
    "idle": MENU,
    "menu": MENU,
    "character_select": MENU,
    "map_select": MENU,
    "insurance": MENU,
    "queuing": QUEUE,
    "queue": QUEUE,
    "matching": QUEUE,
    "match_found": QUEUE,
    "loading": QUEUE,
    "deploying": QUEUE,
    "deploying_committed": QUEUE,
    "get_ready": QUEUE,
    "raid": RAID,
    "raid_active": RAID,
    "in_raid": RAID,
    "transfer": TERMINAL,
    "survived": TERMINAL,
    "killed": TERMINAL,
    "killed_in_action": TERMINAL,
    "kia": TERMINAL,
    "mia": TERMINAL,
    "missing_in_action": TERMINAL,
    "kill_list": TERMINAL,
    "statistics": TERMINAL,
    "experience": TERMINAL,
    "unknown": TERMINAL,
}
"""Stored state → timeline band; any other state is ``raid``."""

NICE_BIN_SECONDS = (30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)
"""Histogram widths to choose from: the smallest that keeps to :data:`MAX_BINS` bins."""

MAX_BINS = 12


@dataclass(frozen=True, slots=True)
class ChartRaid(RaidRow):
    """A raid with the map it was on."""

    map_name: str


@dataclass(frozen=True, slots=True)
class ChartSession:
    """What the charts need of a session."""

    session_id: int
    started_at: datetime
    ended_at: datetime | None
    session_type: str | None


@dataclass(frozen=True, slots=True)
class KillRow:
    """What the charts need of a kill."""

    raid_id: int
    killed_at: datetime
    enemy_type: str
    weapon: str | None
    headshot: bool | None


@dataclass(frozen=True, slots=True)
class StateRow:
    """A raid's state transition (for the timeline)."""

    raid_id: int
    to_state: str
    at: datetime


def band_of(state: str) -> str:
    """The timeline band of a stored state."""
    return STATE_BANDS.get(state, RAID)


def _duration(raids: Sequence[RaidRow]) -> float | None:
    ended = [r for r in raids if r.ended_at is not None]
    return summarize(ended).avg_raid_duration_seconds if ended else None


def sessions_chart(
    sessions: Sequence[ChartSession], raids: Sequence[ChartRaid], filters: StatsFilters
) -> SessionsChart:
    """Per-session figures over ``raids``; sessions without one are left out."""
    own: dict[int, list[ChartRaid]] = defaultdict(list)
    for raid in raids:
        if raid.session_id is not None:
            own[raid.session_id].append(raid)
    points = []
    for session in sorted(sessions, key=lambda s: (s.started_at, s.session_id)):
        chosen = own.get(session.session_id)
        if not chosen:
            continue
        summary = summarize(chosen)
        points.append(
            SessionPoint(
                session_id=session.session_id,
                started_at=session.started_at,
                ended_at=session.ended_at,
                session_type=session.session_type,
                raids=summary.total_raids,
                survived=summary.survived_raids,
                kills=summary.total_kills,
                deaths=summary.total_raids - summary.survived_raids,
                kd_ratio=summary.kd_ratio,
                survival_rate=summary.survival_rate,
                avg_raid_duration_seconds=_duration(chosen),
            )
        )
    return SessionsChart(filters=filters, sessions=points)


def maps_chart(raids: Sequence[ChartRaid], filters: StatsFilters) -> MapsChart:
    """Per-map figures, most played first (then by name)."""
    per_map: dict[str, list[ChartRaid]] = defaultdict(list)
    for raid in raids:
        per_map[raid.map_name].append(raid)
    points = []
    for name, chosen in per_map.items():
        summary = summarize(chosen)
        points.append(
            MapPoint(
                map_name=name,
                raids=summary.total_raids,
                survived=summary.survived_raids,
                survival_rate=summary.survival_rate,
                kills=summary.total_kills,
                kd_ratio=summary.kd_ratio,
                avg_raid_duration_seconds=_duration(chosen),
            )
        )
    points.sort(key=lambda p: (-p.raids, p.map_name))
    return MapsChart(filters=filters, maps=points)


def _groups(kills: Iterable[tuple[str, bool | None]]) -> list[KillGroup]:
    counts: Counter[str] = Counter()
    heads: Counter[str] = Counter()
    for name, headshot in kills:
        counts[name] += 1
        heads[name] += bool(headshot)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [KillGroup(name=n, kills=c, headshots=heads[n]) for n, c in ordered]


def kills_chart(kills: Sequence[KillRow], filters: StatsFilters) -> KillsChart:
    """Kills by weapon and by enemy type (most first), and the headshot share."""
    known = [k for k in kills if k.headshot is not None]
    headshots = sum(1 for k in known if k.headshot)
    return KillsChart(
        filters=filters,
        total_kills=len(kills),
        headshots=headshots,
        headshot_known=len(known),
        headshot_share=headshots / len(known) if known else None,
        by_weapon=_groups((k.weapon or UNKNOWN_WEAPON, k.headshot) for k in kills),
        by_enemy=_groups((k.enemy_type, k.headshot) for k in kills),
    )


def bin_width(low: float, high: float) -> float:
    """The smallest nice width that covers ``[low, high]`` in at most :data:`MAX_BINS` bins."""
    for width in NICE_BIN_SECONDS:
        if math.floor(high / width) - math.floor(low / width) + 1 <= MAX_BINS:
            return float(width)
    # Beyond the table: whole days, enough of them to keep to the bin limit.
    return float(math.ceil((high - low) / (MAX_BINS - 1) / 86400) * 86400)


def histogram(values: Sequence[float]) -> Histogram:
    """``values`` (seconds) in bins of a round width, empty bins between included."""
    if not values:
        return Histogram(
            count=0,
            bin_seconds=NICE_BIN_SECONDS[1],
            min_seconds=None,
            median_seconds=None,
            max_seconds=None,
            bins=[],
        )
    low, high = min(values), max(values)
    width = bin_width(low, high)
    first = math.floor(low / width)
    counts = Counter(math.floor(v / width) - first for v in values)
    bins = [
        HistogramBin(
            start_seconds=(first + i) * width, end_seconds=(first + i + 1) * width, count=counts[i]
        )
        for i in range(max(counts) + 1)
    ]
    return Histogram(
        count=len(values),
        bin_seconds=width,
        min_seconds=low,
        median_seconds=float(median(values)),
        max_seconds=high,
        bins=bins,
    )


def durations_chart(raids: Sequence[ChartRaid], filters: StatsFilters) -> DurationsChart:
    """Histograms of ended raids' lengths and of the gaps between raids."""
    lengths = [(r.ended_at - r.started_at).total_seconds() for r in raids if r.ended_at]
    return DurationsChart(
        filters=filters,
        raid_durations=histogram(lengths),
        between_raids=histogram(gaps_between_raids(raids)),
    )


def _raid_bands(raid: ChartRaid, steps: Sequence[StateRow], end: datetime) -> list[TimelineBand]:
    """A raid's states as bands: the initial state from its start, each step to the next."""
    marks = [(raid.started_at, INITIAL_RAID_STATE), *((s.at, s.to_state) for s in steps)]
    bands = []
    for index, (start, state) in enumerate(marks):
        stop = marks[index + 1][0] if index + 1 < len(marks) else (raid.ended_at or end)
        bands.append(
            TimelineBand(
                band=band_of(state), state=state, raid_id=raid.raid_id, start=start, end=stop
            )
        )
    return bands


def timeline(
    session: ChartSession,
    raids: Sequence[ChartRaid],
    steps: Sequence[StateRow],
    kills: Sequence[KillRow],
) -> TimelineChart:
    """One session's bands (menu between raids) and kills, in time order.

    The session ends at its ``ended_at``, or (still open) at the last time it holds.
    """
    ordered = sorted(raids, key=lambda r: (r.started_at, r.raid_id))
    times = [session.started_at, *(r.started_at for r in ordered), *(s.at for s in steps)]
    times += [r.ended_at for r in ordered if r.ended_at] + [k.killed_at for k in kills]
    end = session.ended_at or max(times)
    per_raid: dict[int, list[StateRow]] = defaultdict(list)
    for step in sorted(steps, key=lambda s: s.at):
        per_raid[step.raid_id].append(step)
    bands: list[TimelineBand] = []
    cursor = session.started_at
    for raid in ordered:
        if raid.started_at > cursor:
            bands.append(_menu(cursor, raid.started_at))
        bands.extend(_raid_bands(raid, per_raid[raid.raid_id], end))
        cursor = max(cursor, raid.ended_at or end)
    if end > cursor:
        bands.append(_menu(cursor, end))
    return TimelineChart(
        session_id=session.session_id,
        started_at=session.started_at,
        ended_at=end,
        bands=bands,
        kills=[
            TimelineKill(
                raid_id=k.raid_id,
                at=k.killed_at,
                enemy_type=k.enemy_type,
                weapon=k.weapon,
                headshot=k.headshot,
            )
            for k in sorted(kills, key=lambda k: (k.killed_at, k.raid_id))
        ],
    )


def _menu(start: datetime, end: datetime) -> TimelineBand:
    return TimelineBand(band=MENU, state=MENU, raid_id=None, start=start, end=end)
