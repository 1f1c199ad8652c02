"""The only place with SQL (with :mod:`.repository_core` and `.repository_stats`): every query.

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
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select

from framewise.store.errors import ConflictError, NotFoundError, ValidationFailedError
from framewise.store.models import Kill, Raid, RaidStateTransition, StreamSession
from framewise.store.repository_core import now_utc
from framewise.store.repository_stats import StatsRepository
from framewise.store.stats import RaidRow, SessionRow, TransitionRow
from framewise.store_api.constants import INITIAL_RAID_STATE
from framewise.store_api.schemas import ImportCreated, ImportRaid, ImportSessionRequest
from framewise.store_api.stats import StatsFilters


@dataclass(frozen=True, slots=True)
class NewKill:
    """A kill to store; ``killed_at`` ``None`` means now."""

    enemy_type: str
    weapon_used: str | None
    headshot: bool | None
    killed_at: datetime | None


class Repository(StatsRepository):
    """Reads and writes of one request, in one transaction: the core plus raids and kills.

    The chart figures' reads come from :class:`StatsRepository`.
    """

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
        """Log a state change of an open raid; ``from_state`` is its current state.

        Raises:
            ValidationFailedError: ``at`` is before the raid started.
        """
        raid = self._open_raid(raid_id)
        when = at or now_utc()
        check_inside(f"raid {raid_id}", raid.started_at, raid.ended_at, "transition", when)
        return self._log_transition(raid, to_state, when)

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
        """Log the transition to ``final_state`` and close the raid, as the original does.

        Raises:
            ValidationFailedError: ``at`` is before the raid started, or before one of its
                transitions or kills (which would then fall outside it).
        """
        raid = self._open_raid(raid_id)
        when = at or now_utc()
        latest = max(
            (t for t in (raid.started_at, *self._latest_times(raid_id)) if t is not None),
        )
        if when < latest:
            raise ValidationFailedError(
                f"raid {raid_id} cannot end at {_iso(when)}: it started at "
                f"{_iso(raid.started_at)} and holds a transition or kill up to {_iso(latest)}"
            )
        self._log_transition(raid, final_state, when)
        raid.ended_at = when
        raid.extract_location = extract_location
        self._db.flush()
        return raid

    def _latest_times(self, raid_id: int) -> tuple[datetime | None, datetime | None]:
        last_transition = select(func.max(RaidStateTransition.transitioned_at)).where(
            RaidStateTransition.raid_id == raid_id
        )
        last_kill = select(func.max(Kill.killed_at)).where(Kill.raid_id == raid_id)
        return _aware(self._db.scalar(last_transition)), _aware(self._db.scalar(last_kill))

    def add_kills(self, raid_id: int, kills: Sequence[NewKill]) -> list[int]:
        """Store kills of a raid (ended or not, as the original allows); returns their ids.

        Raises:
            ValidationFailedError: A kill's time is outside the raid (``kills.N`` names it).
        """
        raid = self.get_raid(raid_id)
        if not kills:
            return []
        received = now_utc()
        for index, kill in enumerate(kills):
            where = f"kills.{index}: kill" if len(kills) > 1 else "kill"
            at = kill.killed_at or received
            check_inside(f"raid {raid_id}", raid.started_at, raid.ended_at, where, at)
        rows = [
            {
                "raid_id": raid_id,
                "killed_at": kill.killed_at or received,
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

    def raids_for_session(self, session_id: int) -> list[Raid]:
        """A session's raids in time order; 404 when the session does not exist."""
        self.get_session(session_id)
        query = (
            select(Raid)
            .where(Raid.session_id == session_id)
            .order_by(Raid.started_at, Raid.raid_id)
        )
        return list(self._db.scalars(query))

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
        return [*self.chart_raids(StatsFilters(), session_id=session_id)]

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
        for index, raid in enumerate(request.raids):
            check_import_raid(index, raid)
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


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _aware(at: datetime | None) -> datetime | None:
    # An aggregate may come back without the column type's conversion to aware UTC.
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def check_inside(
    raid: str, started: datetime, ended: datetime | None, what: str, at: datetime
) -> None:
    """Refuse (422) a time outside the raid's span, naming the span.

    Raises:
        ValidationFailedError: ``at`` is before ``started`` or after ``ended``.
    """
    if started <= at and (ended is None or at <= ended):
        return
    span = f"from {_iso(started)} to {_iso(ended)}" if ended else f"from {_iso(started)} (open)"
    raise ValidationFailedError(f"{what} at {_iso(at)} is outside {raid}, which ran {span}")


def check_import_raid(index: int, raid: ImportRaid) -> None:
    """Every time of an imported raid inside it; the message names ``raids.N.kills.M``.

    Raises:
        ValidationFailedError: The raid ends before it starts, or a transition or kill falls
            outside it.
    """
    ended = raid.end.ended_at if raid.end is not None else None
    if ended is not None and ended < raid.started_at:
        raise ValidationFailedError(
            f"raids.{index}.end.ended_at: {_iso(ended)} is before the raid's start "
            f"{_iso(raid.started_at)}"
        )
    name = f"raids.{index}"
    for number, step in enumerate(raid.transitions):
        where = f"{name}.transitions.{number}.transitioned_at: transition"
        check_inside("its raid", raid.started_at, ended, where, step.transitioned_at)
    for number, kill in enumerate(raid.kills):
        where = f"{name}.kills.{number}.timestamp: kill"
        check_inside("its raid", raid.started_at, ended, where, kill.timestamp)


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
