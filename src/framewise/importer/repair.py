"""Repair what an interrupted single-endpoint import left in the store.

An import cut short (the store crashed, the import was stopped) leaves a partial session: open,
or with raids, transitions or kills missing. The next import finds it by the log's import key,
reads back what the store holds (:func:`read_stored`), matches each call of the log's plan with
it (:func:`compare`: raids by start time, transitions by state and time, kills by time and
fields, each stored item used once) and sends only the rest, ending the raids and the session
it left open. A log whose session the store holds completely is a plain duplicate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from framewise.importer.plan import ImportPlan
from framewise.importer.single import MODELS, Call, CallKind, calls
from framewise.store_api.client import StoreClient
from framewise.store_api.schemas import (
    CreateRaidRequest,
    EndRaidRequest,
    KillRequest,
    SessionResponse,
    TransitionRequest,
)

REPAIR_PATH = "/api/session/{session_id}/raids"
"""The endpoint a repair reads a session's raids from (our store's; the original has none)."""


@dataclass(frozen=True, slots=True)
class StoredRaid:
    """What the store holds of one raid: its id, whether it ended, and its contents."""

    raid_id: int
    started_at: datetime
    ended: bool
    transitions: Counter[Hashable]
    kills: Counter[Hashable]


@dataclass(frozen=True, slots=True)
class StoredSession:
    """What the store holds of a session an earlier import started."""

    session_id: int
    ended: bool
    raids: list[StoredRaid]


def read_stored(client: StoreClient, session: SessionResponse) -> StoredSession:
    """Read a session's raids, transitions and kills back from the store."""
    raids = []
    for raid in client.session_raids(session.session_id):
        detail = client.get_raid(raid.raid_id)
        kills = client.kills(raid.raid_id)
        raids.append(
            StoredRaid(
                raid_id=raid.raid_id,
                started_at=raid.started_at,
                ended=raid.ended_at is not None,
                transitions=Counter((t.to_state, t.transitioned_at) for t in detail.transitions),
                kills=Counter(
                    (k.killed_at, k.enemy_type, k.weapon_used, k.headshot) for k in kills
                ),
            )
        )
    return StoredSession(session.session_id, session.ended_at is not None, raids)


@dataclass
class Repair:
    """Which calls of a plan the store already holds, and what the rest added."""

    stored: StoredSession
    present: list[bool]
    raid_ids: dict[int, StoredRaid]
    foreign: bool = False
    """The session holds what this log does not: another log of the same recording (run
    again, say), not an interrupted import of this one; it is left as it is."""
    added: Counter[CallKind] = field(default_factory=Counter)

    @property
    def needed(self) -> bool:
        """Whether anything of the log is missing from the store."""
        return not all(self.present)

    def line(self) -> str:
        """``repaired session 12: 5 kills added, ended``."""
        added: tuple[CallKind, ...] = ("raid", "transition", "kill")
        parts = [
            f"{self.added[kind]} {kind}{'' if self.added[kind] == 1 else 's'} added"
            for kind in added
            if self.added[kind]
        ]
        if self.added["end_raid"]:
            ended = self.added["end_raid"]
            parts.append(f"{ended} raid{'' if ended == 1 else 's'} ended")
        if self.added["end_session"]:
            parts.append("ended")
        return f"repaired session {self.stored.session_id}: {', '.join(parts) or 'nothing added'}"


def _key(call: Call) -> Hashable | None:
    """What identifies a call's item in the store; ``None`` when the body is invalid."""
    try:
        model = MODELS[call.kind].model_validate(call.body)
    except ValidationError:
        return None
    if isinstance(model, CreateRaidRequest):
        return model.started_at
    if isinstance(model, TransitionRequest):
        return (model.to_state, model.transitioned_at)
    if isinstance(model, KillRequest):
        return (model.timestamp, model.enemy_type, model.weapon, model.headshot)
    if isinstance(model, EndRaidRequest):
        return (model.final_state, model.ended_at)  # the transition the end logs
    return call.kind


def compare(plan: ImportPlan, stored: StoredSession) -> Repair:
    """Match each call of ``plan`` with what ``stored`` holds (each stored item used once).

    Whatever stored item no call matches makes the session :attr:`Repair.foreign`.
    """
    free = list(stored.raids)
    matched: dict[int, StoredRaid] = {}
    left: dict[int, tuple[Counter[Hashable], Counter[Hashable]]] = {}
    present: list[bool] = []
    for call in calls(plan):
        index = call.raid_index
        raid = matched.get(index) if index is not None else None
        key = _key(call)
        if call.kind == "session":
            found = True
        elif call.kind == "end_session":
            found = stored.ended
        elif call.kind == "raid" and index is not None:
            raid = next((r for r in free if r.started_at == key), None)
            if raid is not None:
                free.remove(raid)
                matched[index] = raid
                left[index] = (raid.transitions.copy(), raid.kills.copy())
            found = raid is not None
        elif raid is None or index is None:
            found = False
        elif call.kind == "end_raid":
            found = raid.ended
            if found:
                left[index][0][key] -= 1
        else:
            counter = left[index][0 if call.kind == "transition" else 1]
            found = key is not None and counter[key] > 0
            if found:
                counter[key] -= 1
        present.append(found)
    extra = free or any(+counter for pair in left.values() for counter in pair)
    return Repair(stored, present, matched, foreign=bool(extra))
