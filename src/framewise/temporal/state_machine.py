"""A profile-defined state machine over episodes: transitions, anomalies and events. Pure.

The table (states, allowed transitions, event rules) is data — see
:mod:`framewise.config.state_machine` and ``profiles/tarkov/state_machine.yaml``. The
machine takes the episode filter's output in order: an *open* notice of a class that
signals a state enters that state at the episode's start time, if the table allows the
move; a forbidden move is not applied but recorded as an :class:`Anomaly` with its
evidence. One refused screen is noise; but when the next screen is refused too and the table
allows the move between the two, they agree with each other and the machine missed a screen
(a misclassified map selection, say): it follows them, instead of refusing every screen until
one happens to be allowed from where it is stuck. *Closed* episodes fire ``episode`` rules
(a kill) and complete events that wait for their episode's final fields (an extract
location). Records come out in the order they are decided; a log writer sorts them by
``seconds``.

Example:
    >>> from framewise.config.state_machine import StateMachineSpec
    >>> spec = StateMachineSpec.model_validate({
    ...     "initial": "idle",
    ...     "states": {"idle": {}, "raid": {"classes": ["hud"]}, "dead": {"classes": ["kia"]}},
    ...     "transitions": {"idle": ["raid"], "raid": ["dead"]},
    ...     "events": [{"type": "state_transition", "when": "enter",
    ...                 "data": {"from_state": "from_state", "to_state": "state"}}],
    ... })
    >>> machine = StateMachine(spec)
    >>> ep = Episode("hud", 1, 5.0, 5.2, 0.9, 5.1, (0, 0, 1, 1), {}, 3, closed=False)
    >>> [(r.type, r.seconds, r.data) for r in machine.update([ep])]
    [('state_transition', 5.0, {'from_state': 'idle', 'to_state': 'raid'})]
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from framewise.config.state_machine import EventRuleSpec, StateMachineSpec
from framewise.core.events import Event
from framewise.temporal.episodes import Episode
from framewise.temporal.observations import FieldReading, FieldValue

HISTORY_LIMIT = 10_000
"""Transitions remembered to place closed episodes in time (thousands of raids' worth)."""


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event ready to become a :class:`~framewise.core.events.Event`.

    Attributes:
        type: ``raid_start``, ``raid_end``, ``kill``, ``state_transition``, ...
        seconds: Video time of the event (its episode's start).
        confidence: The weakest of the episode's score and the fields used.
        data: Event fields.
        evidence: Class of the episode that caused it.
        track_id: That episode's track id.
        best_seconds: Time of the episode's best frame (for the thumbnail).
    """

    type: str
    seconds: float
    confidence: float
    data: Mapping[str, FieldValue]
    evidence: str
    track_id: int
    best_seconds: float

    def to_event(
        self, event_id: str, timestamp: datetime, frame_number: int, thumbnail: str | None = None
    ) -> Event:
        """The :class:`Event` for this record; the caller assigns id, wall time and frame."""
        return Event(
            event_id=event_id,
            type=self.type,
            timestamp=timestamp,
            video_offset_seconds=self.seconds,
            frame_number=frame_number,
            confidence=min(1.0, max(0.0, self.confidence)),
            data=dict(self.data),
            thumbnail=thumbnail,
        )


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A transition the table forbids, seen but not applied (kept for review)."""

    seconds: float
    from_state: str
    to_state: str
    evidence: str
    track_id: int
    confidence: float


@dataclass
class _Pending:
    rule: EventRuleSpec
    seconds: float
    from_state: str
    to_state: str
    episode: Episode


@dataclass
class _History:
    times: list[float] = field(default_factory=list)
    states: list[tuple[str, frozenset[str]]] = field(default_factory=list)

    def add(self, seconds: float, state: str, scopes: frozenset[str]) -> None:
        at = bisect_right(self.times, seconds)
        self.times.insert(at, seconds)
        self.states.insert(at, (state, scopes))
        if len(self.times) > HISTORY_LIMIT:
            del self.times[0], self.states[0]

    def at(self, seconds: float, initial: str) -> tuple[str, frozenset[str]]:
        at = bisect_right(self.times, seconds)
        return self.states[at - 1] if at else (initial, frozenset())


class StateMachine:
    """Runs a :class:`StateMachineSpec` over episodes.

    Args:
        spec: The table.
    """

    def __init__(self, spec: StateMachineSpec) -> None:
        self.spec = spec
        self._state_of = spec.state_of_class()
        self._state = spec.initial
        self._scopes: set[str] = set()
        self._context: dict[str, FieldReading] = {}
        self._pending: dict[int, list[_Pending]] = {}
        self._history = _History()
        self._anomalies: list[Anomaly] = []
        # The last screen refused since the machine last moved: (its episode, its state).
        self._refused: tuple[Episode, str] | None = None
        self._close_classes = {c for r in spec.events if r.when == "episode" for c in r.classes}
        self._context_fields: dict[str, list[str]] = {}
        for rule in spec.context:
            for cls in rule.classes:
                self._context_fields.setdefault(cls, []).extend(rule.fields)

    @property
    def state(self) -> str:
        """The current state."""
        return self._state

    @property
    def scopes(self) -> frozenset[str]:
        """The scopes open now (e.g. ``{"raid"}`` during a raid)."""
        return frozenset(self._scopes)

    @property
    def anomalies(self) -> tuple[Anomaly, ...]:
        """Forbidden transitions seen so far, in the order seen."""
        return tuple(self._anomalies)

    def reports_on_close(self, class_name: str) -> bool:
        """Whether a closed episode of ``class_name`` may still emit (an episode rule)."""
        return class_name in self._close_classes

    def pending_since(self) -> float | None:
        """Earliest time of an event waiting for its episode to close, if any."""
        times = [p.seconds for waiting in self._pending.values() for p in waiting]
        return min(times, default=None)

    def update(self, episodes: Iterable[Episode]) -> list[EventRecord]:
        """Feed the episode filter's output (open notices and closed episodes), in order."""
        out: list[EventRecord] = []
        for episode in episodes:
            if episode.closed:
                out.extend(self._on_closed(episode))
            else:
                out.extend(self._on_open(episode))
        return out

    def flush(self) -> list[EventRecord]:
        """End of stream: emit events still waiting for their episode to close."""
        out = [
            self._record(p.rule, p.episode, p.seconds, p.from_state, p.to_state)
            for track in sorted(self._pending)
            for p in self._pending[track]
        ]
        self._pending.clear()
        return out

    def _remember(self, episode: Episode) -> None:
        for name in self._context_fields.get(episode.class_name, ()):
            reading = episode.fields.get(name)
            if reading is not None and reading.value is not None:
                self._context[name] = reading

    def _on_open(self, episode: Episode) -> list[EventRecord]:
        target = self._state_of.get(episode.class_name)
        if target is None or target == self._state:
            self._remember(episode)
            if target is not None:
                self._refused = None  # the screen agrees with the state
            return []
        if self.spec.allowed(self._state, target):
            self._refused = None
            return self._enter(episode, target)
        refused = self._refused
        if refused is not None and self.spec.allowed(refused[1], target):
            # Two refused screens in a row that agree with each other: the machine missed a
            # screen (misclassified, or clicked through). Follow them rather than stay stuck.
            self._refused = None
            return self._enter(*refused) + self._enter(episode, target)
        self._anomalies.append(
            Anomaly(
                episode.start,
                self._state,
                target,
                episode.class_name,
                episode.track_id,
                episode.confidence,
            )
        )
        self._refused = (episode, target)
        return []

    def _enter(self, episode: Episode, target: str) -> list[EventRecord]:
        """Move to ``target`` on ``episode``; the records its enter rules emit."""
        source = self._state
        self._state = target
        if self.spec.states[target].reset_context:
            self._context.clear()
        self._remember(episode)
        out: list[EventRecord] = []
        for rule in self.spec.events:
            if rule.when != "enter" or not self._enter_matches(rule, source, target):
                continue
            self._scopes |= set(rule.opens)
            self._scopes -= set(rule.closes)
            if rule.wait_for_episode:
                pending = _Pending(rule, episode.start, source, target, episode)
                self._pending.setdefault(episode.track_id, []).append(pending)
            else:
                out.append(self._record(rule, episode, episode.start, source, target))
        self._history.add(episode.start, target, frozenset(self._scopes))
        return out

    def _enter_matches(self, rule: EventRuleSpec, source: str, target: str) -> bool:
        return (
            (not rule.states or target in rule.states)
            and (not rule.from_states or source in rule.from_states)
            and self._scopes.issuperset(rule.requires)
            and self._scopes.isdisjoint(rule.forbids)
        )

    def _on_closed(self, episode: Episode) -> list[EventRecord]:
        self._remember(episode)
        out = [
            self._record(p.rule, episode, p.seconds, p.from_state, p.to_state)
            for p in self._pending.pop(episode.track_id, [])
        ]
        state, scopes = self._history.at(episode.start, self.spec.initial)
        for rule in self.spec.events:
            if (
                rule.when == "episode"
                and episode.class_name in rule.classes
                and (not rule.states or state in rule.states)
                and scopes.issuperset(rule.requires)
                and scopes.isdisjoint(rule.forbids)
            ):
                self._scopes |= set(rule.opens)
                self._scopes -= set(rule.closes)
                out.append(self._record(rule, episode, episode.start, state, state))
        return out

    def _record(
        self, rule: EventRuleSpec, episode: Episode, seconds: float, source: str, target: str
    ) -> EventRecord:
        data: dict[str, FieldValue] = {}
        confidence = episode.confidence
        for key, ref in rule.data.items():
            value, used = self._resolve(ref, episode, source, target)
            data[key] = value
            if used is not None and value is not None:
                confidence = min(confidence, used)
        return EventRecord(
            type=rule.type,
            seconds=seconds,
            confidence=confidence,
            data=data,
            evidence=episode.class_name,
            track_id=episode.track_id,
            best_seconds=episode.best_seconds,
        )

    def _resolve(
        self, ref: str, episode: Episode, source: str, target: str
    ) -> tuple[FieldValue, float | None]:
        """A data reference's value and the confidence it contributes (``None``: none)."""
        if ref == "state":
            return target, None
        if ref == "from_state":
            return source, None
        prefix, _, name = ref.partition(":")
        if prefix == "const":
            return (name or None), None
        reading = (episode.fields if prefix == "field" else self._context).get(name)
        if reading is None:
            return None, None
        return reading.value, reading.confidence
