"""Import through the single endpoints: session → (raid → transitions → kills → end)* → end.

Used when the server has no atomic import endpoint (the original Rust app). Every call is
checked against the contract before it is sent; a refusal (client-side or 4xx) is reported
with its event and the import goes on with what does not depend on it.

A write that fails after it may have reached the server (:class:`StoreAmbiguousError`) is
not blindly repeated: the importer reads back what the server holds and sends it again only
if it is missing, so a server restarted mid-import ends with exactly one copy.

An import that was cut short leaves a partial session; given a :class:`~.repair.Repair`,
only the calls the store does not hold yet are sent (see :mod:`framewise.importer.repair`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from framewise.importer.plan import ImportPlan, raid_payload
from framewise.importer.summary import ImportSummary
from framewise.profiles.tarkov.store_rules import kill_fields
from framewise.store_api.client import StoreClient
from framewise.store_api.errors import StoreAmbiguousError, StoreRequestError
from framewise.store_api.schemas import (
    CreateRaidRequest,
    CreateSessionRequest,
    EndRaidRequest,
    EndSessionRequest,
    KillRequest,
    TransitionRequest,
)

if TYPE_CHECKING:  # repair.py builds on this module's calls
    from framewise.importer.repair import Repair

CallKind = Literal["session", "raid", "transition", "kill", "end_raid", "end_session"]
T = TypeVar("T")

MODELS: dict[CallKind, type[BaseModel]] = {
    "session": CreateSessionRequest,
    "raid": CreateRaidRequest,
    "transition": TransitionRequest,
    "kill": KillRequest,
    "end_raid": EndRaidRequest,
    "end_session": EndSessionRequest,
}
"""The request model of each kind of call."""

PATHS: dict[CallKind, str] = {
    "session": "/api/session",
    "raid": "/api/raid",
    "transition": "/api/raid/{raid_id}/transition",
    "kill": "/api/raid/{raid_id}/kill",
    "end_raid": "/api/raid/{raid_id}/end",
    "end_session": "/api/session/end",
}
"""The endpoint of each kind of call."""

UNAUTHORIZED = 401
AMBIGUOUS_ROUNDS = 5
"""How often one write is re-checked and re-sent after ambiguous failures."""


@dataclass(frozen=True, slots=True)
class Call:
    """One API call of the single-endpoint sequence."""

    kind: CallKind
    body: dict[str, Any]
    event_id: str | None
    raid_index: int | None = None

    def path(self, raid_id: int | str = "{raid_id}") -> str:
        """The URL path, with the raid id filled in."""
        return PATHS[self.kind].format(raid_id=raid_id)


def calls(plan: ImportPlan) -> Iterator[Call]:
    """The calls that import ``plan``, in order."""
    yield Call(
        "session",
        {
            "session_type": plan.session_type,
            "notes": f"imported from {plan.log_path.name}",
            "started_at": plan.started_at.isoformat(),
            "source_video": plan.source_video,
            "import_key": plan.import_key,
        },
        None,
    )
    for index, raid in enumerate(plan.raids):
        payload = raid_payload(raid)
        create = {k: payload[k] for k in ("map_name", "character_type", "game_mode", "started_at")}
        yield Call("raid", create, raid.start_event, index)
        for (event_id, _, _), body in zip(raid.transitions, payload["transitions"], strict=True):
            yield Call("transition", body, event_id, index)
        for event_id, data, at in raid.kills:
            yield Call("kill", {**kill_fields(data), "timestamp": at.isoformat()}, event_id, index)
        if raid.end is not None:
            yield Call("end_raid", payload["end"], raid.end[0], index)
    yield Call("end_session", {"ended_at": plan.ended_at.isoformat()}, None)


class SingleEndpointImport:
    """Imports one plan through the single endpoints, recording into ``summary``.

    Args:
        client: The store.
        plan: The log's plan.
        summary: Where counts and refusals go.
        repair: What the store already holds of this log's session (from :func:`compare`):
            only the missing calls are sent.
    """

    def __init__(
        self,
        client: StoreClient,
        plan: ImportPlan,
        summary: ImportSummary,
        repair: Repair | None = None,
    ) -> None:
        self._client = client
        self._plan = plan
        self._summary = summary
        self._log = plan.log_path.name
        self._repair = repair
        self._raid_ids: dict[int, int] = {}
        self._failed_raids: set[int] = set()
        self._stored_transitions: dict[int, int] = {}
        self._stored_kills: dict[int, int] = {}
        self._session_ok = False
        if repair is not None:
            self._session_ok = True
            for index, raid in repair.raid_ids.items():
                self._raid_ids[index] = raid.raid_id
                self._stored_transitions[raid.raid_id] = raid.transitions.total()
                self._stored_kills[raid.raid_id] = raid.kills.total()

    def run(self) -> None:
        """Send every call; a refused session stops this log, anything else is skipped."""
        present = self._repair.present if self._repair is not None else None
        for number, call in enumerate(calls(self._plan)):
            if present is not None and present[number]:
                self._already_stored(call)
                continue
            if call.raid_index is not None and call.raid_index in self._failed_raids:
                if call.kind == "kill":
                    self._summary.kills.failed += 1
                continue
            try:
                model = MODELS[call.kind].model_validate(call.body)
            except ValidationError as exc:
                self._refused(call, _first_problem(exc))
            else:
                blocked = self._blocked(call)
                if blocked is not None:
                    self._refused(call, blocked)
                    continue
                try:
                    self._send(call, model)
                    if self._repair is not None:
                        self._repair.added[call.kind] += 1
                except StoreRequestError as exc:
                    if exc.status == UNAUTHORIZED:
                        raise  # a wrong token refuses every call: stop, do not list them all
                    self._refused(call, exc.message)
            if call.kind == "session" and not self._session_ok:
                return

    def _blocked(self, call: Call) -> str | None:
        """Why a repair cannot send ``call`` (``None``: it can).

        A raid joins, and the session end closes, whatever session is open: both would land
        in another session if the one being repaired is not the open one.
        """
        if self._repair is None or call.kind not in ("raid", "end_session"):
            return None
        session_id = self._repair.stored.session_id
        current = self._client.current_session()
        if current is not None and current.session_id == session_id:
            return None
        state = "has ended" if self._repair.stored.ended else "is not the open session"
        return (
            f"session {session_id} (an earlier import of this log) {state}; its missing "
            f"{'raid' if call.kind == 'raid' else 'end'} cannot be written through the single "
            "endpoints: delete the session and import the log again"
        )

    def _already_stored(self, call: Call) -> None:
        if call.kind == "raid":
            self._summary.raids.skipped += 1
        elif call.kind == "kill":
            self._summary.kills.skipped += 1

    def _refused(self, call: Call, message: str) -> None:
        self._summary.fail(self._log, call.event_id, message)
        if call.kind == "session":
            self._summary.sessions.failed += 1
            self._summary.raids.failed += len(self._plan.raids)
            self._summary.kills.failed += self._plan.kill_count
        elif call.kind == "raid" and call.raid_index is not None:
            self._failed_raids.add(call.raid_index)
            self._summary.raids.failed += 1
        elif call.kind == "kill":
            self._summary.kills.failed += 1

    def _send(self, call: Call, model: BaseModel) -> None:
        client = self._client
        index = call.raid_index if call.raid_index is not None else -1
        raid_id = self._raid_ids.get(index, 0)
        if isinstance(model, CreateSessionRequest):
            self._exactly_once(lambda: client.create_session(model), self._find_session)
            self._session_ok = True
            self._summary.sessions.created += 1
        elif isinstance(model, CreateRaidRequest):
            found = self._exactly_once(
                lambda: client.create_raid(model), lambda: self._find_raid(model)
            )
            self._raid_ids[index] = found
            self._summary.raids.created += 1
        elif isinstance(model, TransitionRequest):
            done = self._stored_transitions.get(raid_id, 0)
            self._exactly_once(
                _acknowledged(lambda: client.transition(raid_id, model)),
                lambda: _true_if(len(client.get_raid(raid_id).transitions) > done),
            )
            self._stored_transitions[raid_id] = done + 1
        elif isinstance(model, KillRequest):
            done = self._stored_kills.get(raid_id, 0)
            self._exactly_once(
                lambda: client.add_kill(raid_id, model),
                lambda: _true_if(len(client.kills(raid_id)) > done),
            )
            self._stored_kills[raid_id] = done + 1
            self._summary.kills.created += 1
        elif isinstance(model, EndRaidRequest):
            self._exactly_once(
                _acknowledged(lambda: client.end_raid(raid_id, model)),
                lambda: _true_if(client.get_raid(raid_id).ended_at is not None),
            )
        elif isinstance(model, EndSessionRequest):
            self._exactly_once(
                _acknowledged(lambda: client.end_session(model)),
                lambda: _true_if(client.current_session() is None),
            )

    def _find_session(self) -> int | None:
        found = self._client.find_sessions(import_key=self._plan.import_key)
        return found[0].session_id if found else None

    def _find_raid(self, model: CreateRaidRequest) -> int | None:
        current = self._client.current_raid()
        if current is not None and current.started_at == model.started_at:
            return current.raid_id
        return None

    @staticmethod
    def _exactly_once(send: Callable[[], T], stored: Callable[[], T | None]) -> T:
        """Send; after an ambiguous failure, send again only if ``stored()`` finds nothing."""
        for _ in range(AMBIGUOUS_ROUNDS):
            try:
                return send()
            except StoreAmbiguousError:
                found = stored()
                if found is not None:
                    return found
        return send()


def _acknowledged(action: Callable[[], None]) -> Callable[[], bool]:
    def run() -> bool:
        action()
        return True

    return run


def _true_if(condition: bool) -> bool | None:
    return True if condition else None


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"invalid {where}: {error['msg']}"
