"""The state machine's records and bookkeeping: events, anomalies, excursions, its history.

An *excursion* holds the screens seen since a long-lived state was left without a ``via``
screen: the machine applies it once it has held (see ``leave`` in
:mod:`framewise.config.state_machine`) and otherwise keeps its moves as anomalies.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from framewise.config.state_machine import EventRuleSpec
from framewise.core.events import Event
from framewise.temporal.episodes import Episode
from framewise.temporal.observations import FieldValue
from framewise.temporal.votes import RivalVote

HISTORY_LIMIT = 10_000
"""Transitions remembered to place closed episodes in time (thousands of raids' worth)."""


@dataclass
class Excursion:
    """Screens seen since a long-lived state was left without a ``via`` screen, not yet applied.

    Attributes:
        source: The state being left.
        steps: Each screen's episode and state, in order (consecutive allowed moves).
        hold: Seconds the excursion must last to be applied.
        latest: Track id of the screen shown last (its closing decides a short excursion).
    """

    source: str
    steps: list[tuple[Episode, str]]
    hold: float
    latest: int

    @property
    def start(self) -> float:
        """When the first screen appeared."""
        return self.steps[0][0].start

    def add(self, episode: Episode, state: str) -> None:
        """Another screen of the excursion (the same state again, or an allowed next one)."""
        self.steps.append((episode, state))
        self.latest = episode.track_id


@dataclass
class Pending:
    """An enter event waiting for its screen's episode to close (or its rival vote to end)."""

    rule: EventRuleSpec
    seconds: float
    from_state: str
    to_state: str
    episode: Episode
    vote: RivalVote | None = None


@dataclass
class History:
    """States and scopes by time, to place closed episodes (a kill) in the raid they began in."""

    times: list[float] = field(default_factory=list)
    states: list[tuple[str, frozenset[str]]] = field(default_factory=list)

    def add(self, seconds: float, state: str, scopes: frozenset[str]) -> None:
        """The machine entered ``state`` at ``seconds`` with ``scopes`` open."""
        at = bisect_right(self.times, seconds)
        self.times.insert(at, seconds)
        self.states.insert(at, (state, scopes))
        if len(self.times) > HISTORY_LIMIT:
            del self.times[0], self.states[0]

    def at(self, seconds: float, initial: str) -> tuple[str, frozenset[str]]:
        """The state and scopes at ``seconds``."""
        at = bisect_right(self.times, seconds)
        return self.states[at - 1] if at else (initial, frozenset())


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A transition the table forbids, seen but not applied (kept for review)."""

    seconds: float
    from_state: str
    to_state: str
    evidence: str
    track_id: int
    confidence: float


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
