"""The only place with SQL (with :mod:`.repository_core`): every read and write goes here.

A :class:`Repository` wraps one SQLAlchemy session inside one transaction (the API opens it
per request). It is the generic core's :class:`~.repository_core.CoreRepository` (sessions,
events, artefacts) extended with the Tarkov profile's raids, transitions and kills. Business
rules that depend on stored state ("a raid is already active", "this log was already
imported") are checked here, next to the writes they guard, and raise
:mod:`framewise.store.errors`. Queries are built with SQLAlchemy expressions, never strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from framewise.store.errors import ConflictError, NotFoundError
from framewise.store.models import Kill, Raid, RaidStateTransition, StreamSession
from framewise.store.repository_core import CoreRepository, now_utc
from framewise.store.stats import RaidRow, SessionRow, TransitionRow
from framewise.store_api.constants import INITIAL_RAID_STATE
from framewise.store_api.schemas import ImportCreated, ImportRaid, ImportSessionRequest


@dataclass(frozen=True, slots=True)
class NewKill:
    """A kill to store; ``killed_at`` ``None`` means now."""

    enemy_type: str
    weapon_used: str | None
    headshot: bool | None
    killed_at: datetime | None


class Repository(CoreRepository):
    """Reads and writes of one request, in one transaction: the core plus raids and kills."""

    # ----------------------------------------------------------------- raids

    def active_raid(self) -> Raid | None:
        """The open raid (the most recently started one if several are open)."""
        query = (
            select(Raid)
            .where(Raid.ended_at.is_(None))
            .order_by(Raid.started_at.desc(), Raid.raid_id.desc())
            .limit(1)
        )
        return self._db.scalars(query).first()

    def get_raid(self, raid_id: int) -> Raid:
        """The raid ``raid_id``; :class:`NotFoundError` when there is none."""
        found = self._db.get(Raid, raid_id)
        if found is None:
            raise NotFoundError(f"raid {raid_id} not found")
        return found

    def create_raid(
        self,
        *,
        map_name: str,
        character_type: str,
        game_mode: str,
        started_at: datetime | None,
    ) -> Raid:
        """Start a raid in the open session; 404 without one, 409 when a raid is open."""
        session = self.active_session()
        if session is None:
            raise NotFoundError("no active session; start one before a raid")
        active = self.active_raid()
        if active is not None:
            raise ConflictError(f"raid {active.raid_id} is already active; end it first")
        row = Raid(
            session_id=session.session_id,
            started_at=started_at or now_utc(),
            map_name=map_name,
            character_type=character_type,
            game_mode=game_mode,
            current_state=INITIAL_RAID_STATE,
        )
        self._db.add(row)
        self._db.flush()
        return row

    def _open_raid(self, raid_id: int) -> Raid:
        raid = self.get_raid(raid_id)
        if raid.ended_at is not None:
            raise ConflictError(f"raid {raid_id} has already ended")
        return raid

    def transition(self, raid_id: int, to_state: str, at: datetime | None) -> RaidStateTransition:
        """Log a state change of an open raid; ``from_state`` is its current state."""
        raid = self._open_raid(raid_id)
        return self._log_transition(raid, to_state, at or now_utc())

    def _log_transition(self, raid: Raid, to_state: str, at: datetime) -> RaidStateTransition:
        row = RaidStateTransition(
            raid_id=raid.raid_id,
            from_state=raid.current_state,
            to_state=to_state,
            transitioned_at=at,
        )
        raid.current_state = to_state
        self._db.add(row)
        self._db.flush()
        return row

    def end_raid(
        self,
        raid_id: int,
        *,
        final_state: str,
        extract_location: str | None,
        at: datetime | None,
    ) -> Raid:
        """Log the transition to ``final_state`` and close the raid, as the original does."""
        raid = self._open_raid(raid_id)
        when = at or now_utc()
        self._log_transition(raid, final_state, when)
        raid.ended_at = when
        raid.extract_location = extract_location
        self._db.flush()
        return raid

    def add_kills(self, raid_id: int, kills: Sequence[NewKill]) -> list[int]:
        """Store kills of a raid (ended or not, as the original allows); returns their ids."""
        self.get_raid(raid_id)
        if not kills:
            return []
        rows = [
            {
                "raid_id": raid_id,
                "killed_at": kill.killed_at or now_utc(),
                "enemy_type": kill.enemy_type,
                "weapon_used": kill.weapon_used,
                "headshot": kill.headshot,
            }
            for kill in kills
        ]
        returned = self._db.scalars(
            insert(Kill).returning(Kill.kill_id, sort_by_parameter_order=True), rows
        )
        return list(returned)

    def kills_for_raid(self, raid_id: int) -> list[Kill]:
        """Kills of a raid in time order; 404 when the raid does not exist."""
        self.get_raid(raid_id)
        query = select(Kill).where(Kill.raid_id == raid_id).order_by(Kill.killed_at, Kill.kill_id)
        return list(self._db.scalars(query))

    def transitions_for_raid(self, raid_id: int) -> list[RaidStateTransition]:
        """Transitions of a raid in time order (insertion order breaks ties)."""
        query = (
            select(RaidStateTransition)
            .where(RaidStateTransition.raid_id == raid_id)
            .order_by(RaidStateTransition.transitioned_at, RaidStateTransition.transition_id)
        )
        return list(self._db.scalars(query))

    def kill_count(self, raid_id: int) -> int:
        """Number of kills of a raid."""
        query = select(func.count()).select_from(Kill).where(Kill.raid_id == raid_id)
        return int(self._db.scalar(query) or 0)

    def recent_raids(self, limit: int = 10) -> list[Raid]:
        """The most recently started raids."""
        query = select(Raid).order_by(Raid.started_at.desc(), Raid.raid_id.desc()).limit(limit)
        return list(self._db.scalars(query))

    # ----------------------------------------------------------------- rows for stats

    def session_rows(self) -> list[SessionRow]:
        """Every session, for the statistics."""
        query = select(StreamSession.session_id, StreamSession.started_at)
        return [SessionRow(session_id=i, started_at=t) for i, t in self._db.execute(query)]

    def raid_rows(self, session_id: int | None = None) -> list[RaidRow]:
        """Raids with their kill counts (one query), optionally of one session."""
        kills = select(Kill.raid_id, func.count().label("n")).group_by(Kill.raid_id).subquery()
        query = select(Raid, func.coalesce(kills.c.n, 0)).outerjoin(
            kills, kills.c.raid_id == Raid.raid_id
        )
        if session_id is not None:
            query = query.where(Raid.session_id == session_id)
        return [
            RaidRow(
                raid_id=raid.raid_id,
                session_id=raid.session_id,
                started_at=raid.started_at,
                ended_at=raid.ended_at,
                game_mode=raid.game_mode,
                current_state=raid.current_state,
                kills=int(count),
            )
            for raid, count in self._db.execute(query.order_by(Raid.started_at, Raid.raid_id))
        ]

    def transition_rows(self, raid_id: int) -> list[TransitionRow]:
        """A raid's transitions in time order, for the statistics."""
        return [
            TransitionRow(to_state=t.to_state, transitioned_at=t.transitioned_at)
            for t in self.transitions_for_raid(raid_id)
        ]

    # ----------------------------------------------------------------- atomic import

    def import_session(self, request: ImportSessionRequest) -> ImportCreated:
        """Store a whole session with bulk inserts; the caller's transaction makes it atomic."""
        header = request.session
        self._check_import_key(header.import_key)
        if header.ended_at is None and self.active_session() is not None:
            raise ConflictError("an open session exists; an imported session must have ended_at")
        if any(raid.end is None for raid in request.raids) and self.active_raid() is not None:
            raise ConflictError("an open raid exists; every imported raid must have an end")
        session = StreamSession(
            session_type=header.session_type,
            notes=header.notes,
            started_at=header.started_at,
            ended_at=header.ended_at,
            source_video=header.source_video,
            import_key=header.import_key,
        )
        self._db.add(session)
        self._db.flush()
        raid_rows = [_raid_values(raid, session.session_id) for raid in request.raids]
        raid_ids: list[int] = []
        if raid_rows:
            returned = self._db.scalars(
                insert(Raid).returning(Raid.raid_id, sort_by_parameter_order=True), raid_rows
            )
            raid_ids = list(returned)
        transitions: list[dict[str, Any]] = []
        kills: list[dict[str, Any]] = []
        for raid_id, raid in zip(raid_ids, request.raids, strict=True):
            transitions.extend(_transition_values(raid, raid_id))
            kills.extend(
                {
                    "raid_id": raid_id,
                    "killed_at": k.timestamp,
                    "enemy_type": k.enemy_type,
                    "weapon_used": k.weapon,
                    "headshot": k.headshot,
                }
                for k in raid.kills
            )
        if transitions:
            self._db.execute(insert(RaidStateTransition), transitions)
        if kills:
            self._db.execute(insert(Kill), kills)
        return ImportCreated(
            session_id=session.session_id,
            raid_ids=raid_ids,
            transitions=len(transitions),
            kills=len(kills),
        )


def _ordered_states(raid: ImportRaid) -> list[tuple[str, datetime]]:
    # Time order, stable for ties, then the final state at the end time (as end_raid does).
    steps = [(t.to_state, t.transitioned_at) for t in raid.transitions]
    steps.sort(key=lambda step: step[1])
    if raid.end is not None:
        steps.append((raid.end.final_state, raid.end.ended_at))
    return steps


def _raid_values(raid: ImportRaid, session_id: int) -> dict[str, Any]:
    steps = _ordered_states(raid)
    return {
        "session_id": session_id,
        "started_at": raid.started_at,
        "ended_at": raid.end.ended_at if raid.end else None,
        "map_name": raid.map_name,
        "character_type": raid.character_type,
        "game_mode": raid.game_mode,
        "current_state": steps[-1][0] if steps else INITIAL_RAID_STATE,
        "extract_location": raid.end.extract_location if raid.end else None,
    }


def _transition_values(raid: ImportRaid, raid_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    state = INITIAL_RAID_STATE
    for to_state, at in _ordered_states(raid):
        rows.append(
            {"raid_id": raid_id, "from_state": state, "to_state": to_state, "transitioned_at": at}
        )
        state = to_state
    return rows
