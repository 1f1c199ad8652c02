"""SQL of the chart figures: raids, kills and states filtered by game mode and date range.

:class:`StatsRepository` is a base of :class:`framewise.store.repository.Repository` (so
the API's unit of work has these reads); like the other repository modules it is a place
with SQL, and it returns plain rows for :mod:`framewise.store.chart_stats`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import Select, func, select

from framewise.store.chart_stats import ChartRaid, ChartSession, KillRow, StateRow
from framewise.store.models import Kill, Raid, RaidStateTransition, StreamSession
from framewise.store.repository_core import CoreRepository
from framewise.store_api.stats import StatsFilters, StatsVersion


def _filtered(query: Select[tuple[int]], filters: StatsFilters) -> Select[tuple[int]]:
    if filters.game_mode is not None:
        query = query.where(Raid.game_mode == filters.game_mode)
    if filters.since is not None:
        query = query.where(Raid.started_at >= filters.since)
    if filters.until is not None:
        query = query.where(Raid.started_at < filters.until)
    return query


class StatsRepository(CoreRepository):
    """Reads of the chart figures, in the caller's transaction."""

    def chart_raids(
        self, filters: StatsFilters, *, session_id: int | None = None
    ) -> list[ChartRaid]:
        """Raids passing ``filters`` (optionally of one session) with their kill counts."""
        kills = select(Kill.raid_id, func.count().label("n")).group_by(Kill.raid_id).subquery()
        ids = _filtered(select(Raid.raid_id), filters)
        if session_id is not None:
            ids = ids.where(Raid.session_id == session_id)
        query = (
            select(Raid, func.coalesce(kills.c.n, 0))
            .outerjoin(kills, kills.c.raid_id == Raid.raid_id)
            .where(Raid.raid_id.in_(ids.scalar_subquery()))
            .order_by(Raid.started_at, Raid.raid_id)
        )
        return [
            ChartRaid(
                raid_id=raid.raid_id,
                session_id=raid.session_id,
                started_at=raid.started_at,
                ended_at=raid.ended_at,
                game_mode=raid.game_mode,
                current_state=raid.current_state,
                kills=int(count),
                map_name=raid.map_name,
            )
            for raid, count in self._db.execute(query)
        ]

    def chart_sessions(self, session_ids: Sequence[int] | None = None) -> list[ChartSession]:
        """Sessions (those of ``session_ids`` when given), oldest first."""
        query = select(StreamSession).order_by(StreamSession.started_at, StreamSession.session_id)
        if session_ids is not None:
            query = query.where(StreamSession.session_id.in_(list(session_ids)))
        return [
            ChartSession(
                session_id=s.session_id,
                started_at=s.started_at,
                ended_at=s.ended_at,
                session_type=s.session_type,
            )
            for s in self._db.scalars(query)
        ]

    def chart_kills(self, filters: StatsFilters, *, session_id: int | None = None) -> list[KillRow]:
        """Kills of the raids passing ``filters`` (optionally of one session), in time order."""
        ids = _filtered(select(Raid.raid_id), filters)
        if session_id is not None:
            ids = ids.where(Raid.session_id == session_id)
        query = (
            select(Kill.raid_id, Kill.killed_at, Kill.enemy_type, Kill.weapon_used, Kill.headshot)
            .where(Kill.raid_id.in_(ids.scalar_subquery()))
            .order_by(Kill.killed_at, Kill.kill_id)
        )
        return [KillRow(*row) for row in self._db.execute(query)]

    def chart_states(self, session_id: int) -> list[StateRow]:
        """State transitions of a session's raids, in time order."""
        query = (
            select(
                RaidStateTransition.raid_id,
                RaidStateTransition.to_state,
                RaidStateTransition.transitioned_at,
            )
            .join(Raid, Raid.raid_id == RaidStateTransition.raid_id)
            .where(Raid.session_id == session_id)
            .order_by(RaidStateTransition.transitioned_at, RaidStateTransition.transition_id)
        )
        return [StateRow(*row) for row in self._db.execute(query)]

    def latest_session_id(self) -> int | None:
        """The most recently started session's id."""
        query = select(StreamSession.session_id).order_by(
            StreamSession.started_at.desc(), StreamSession.session_id.desc()
        )
        return self._db.scalars(query.limit(1)).first()

    def stats_version(self) -> StatsVersion:
        """Counts and highest ids of every table the figures read, as one token."""
        parts = [
            select(
                func.count(), func.max(StreamSession.session_id), func.count(StreamSession.ended_at)
            ),
            select(func.count(), func.max(Raid.raid_id), func.count(Raid.ended_at)),
            select(func.count(), func.max(RaidStateTransition.transition_id)),
            select(func.count(), func.max(Kill.kill_id)),
        ]
        rows = [tuple(self._db.execute(part).one()) for part in parts]
        text = "|".join(",".join(str(v) for v in row) for row in rows)
        return StatsVersion(
            version=hashlib.sha256(text.encode()).hexdigest()[:16],
            sessions=int(rows[0][0]),
            raids=int(rows[1][0]),
            kills=int(rows[3][0]),
        )
