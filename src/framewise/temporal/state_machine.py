"""A profile-defined state machine over episodes: transitions, anomalies and events. Pure.

The table (states, allowed transitions, event rules) is data — see
:mod:`framewise.config.state_machine` and ``profiles/tarkov/state_machine.yaml``. The
machine takes the episode filter's output in order: an *open* notice of a class that
signals a state enters that state at the episode's start time, if the table allows the
move; a forbidden move is not applied but recorded as an :class:`Anomaly` with its
evidence. One refused screen is noise; but when the next screen is refused too and the table
allows the move between the two, they agree with each other and the machine missed a screen
(a misclassified map selection, say): it follows them, instead of refusing every screen until
one happens to be allowed from where it is stuck.

A long-lived state with a ``leave`` rule (a raid) is left at once only for its ``via``
states; any other move starts an *excursion*, applied (at its first screen's start) only once
its screens are still shown ``or_hold_seconds`` after it began and the state's own screen is
gone: a menu misfired for a moment on grainy footage is kept as anomalies, not a split raid.

*Closed* episodes fire ``episode`` rules (a kill) and complete events that wait for their
episode's final fields (an extract location); a state with ``rivals`` (the terminal screens)
decides such an event by the frames each rival showed over the visit
(:mod:`framewise.temporal.votes`), and remembered context fields are voted over every
episode of their screen's visit. Records come out in the order they are decided; a log
writer sorts them by ``seconds``.

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

from collections.abc import Iterable, Mapping
from dataclasses import replace

from framewise.config.state_machine import EventRuleSpec, StateMachineSpec
from framewise.temporal.episodes import Episode
from framewise.temporal.machine_parts import Anomaly, EventRecord, Excursion, History, Pending
from framewise.temporal.observations import FieldValue
from framewise.temporal.votes import ContextVotes, RivalVote

__all__ = ["Anomaly", "EventRecord", "StateMachine"]


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
        self._context = ContextVotes()
        # Each state entered starts a visit; screens' fields are voted per visit.
        self._visit = 0
        self._visit_of: dict[int, int] = {}
        self._pending: list[Pending] = []
        # Per episode rule with retrack_seconds: (start, end, data) of its recent events.
        self._emitted: dict[int, list[tuple[float, float, Mapping[str, FieldValue]]]] = {}
        self._history = History()
        self._anomalies: list[Anomaly] = []
        # The last screen refused since the machine last moved: (its episode, its state).
        self._refused: tuple[Episode, str] | None = None
        self._excursion: Excursion | None = None
        # Screens open now (track id → their state): a raid's HUD still shown holds the raid.
        self._shown: dict[int, str] = {}
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
        """Earliest time of an event waiting for its episode to close (or an excursion)."""
        times = [p.seconds for p in self._pending]
        if self._excursion is not None:
            times.append(self._excursion.start)
        return min(times, default=None)

    def update(self, episodes: Iterable[Episode], now: float | None = None) -> list[EventRecord]:
        """Feed the episode filter's output (open notices and closed episodes), in order.

        ``now`` is the time of the frame they came from: an excursion whose screen is still
        shown ``or_hold_seconds`` after it began, once no screen of the state it leaves is
        still shown, is applied then (without ``now``: when its last screen closes).
        """
        out: list[EventRecord] = []
        for episode in episodes:
            if episode.closed:
                out.extend(self._on_closed(episode))
            else:
                out.extend(self._on_open(episode))
        excursion = self._excursion
        if now is not None and excursion is not None and self._held(excursion, now):
            out.extend(self._apply_excursion())
        return out

    def _held(self, excursion: Excursion, until: float) -> bool:
        """Whether the excursion lasted its hold and the state it leaves is off screen."""
        if until - excursion.start < excursion.hold:
            return False
        return excursion.source not in self._shown.values()

    def flush(self) -> list[EventRecord]:
        """End of stream: decide an open excursion, emit events still waiting for episodes."""
        out: list[EventRecord] = []
        excursion = self._excursion
        if excursion is not None:
            held = self._held(excursion, excursion.steps[-1][0].end)
            out += self._apply_excursion() if held else self._drop_excursion()
        pending, self._pending = self._pending, []
        return out + [self._emit(p) for p in pending]

    def _apply_excursion(self) -> list[EventRecord]:
        """The excursion held: enter its states in order, at their screens' start times."""
        excursion, self._excursion = self._excursion, None
        self._refused = None
        return self._walk(excursion.steps if excursion is not None else [])

    def _walk(self, steps: list[tuple[Episode, str]]) -> list[EventRecord]:
        """Enter each step's state in turn; a screen of the state just entered is no move."""
        out: list[EventRecord] = []
        for episode, state in steps:
            if state == self._state:
                self._remember(episode)
            else:
                out += self._enter(episode, state)
        return out

    def _drop_excursion(self) -> list[EventRecord]:  # a list, to pair with _apply_excursion
        """The excursion was too short: each of its moves becomes an anomaly, none applies."""
        excursion, self._excursion = self._excursion, None
        source = excursion.source if excursion is not None else self._state
        for episode, state in excursion.steps if excursion is not None else ():
            if state != source:
                self._anomalies.append(self._anomaly(episode, state, source))
                source = state
        return []

    def _extend_excursion(self, episode: Episode, target: str) -> list[EventRecord] | None:
        """Add a screen to the open excursion; ``None`` when it ends the excursion instead."""
        excursion = self._excursion
        if excursion is None:
            return None
        last = excursion.steps[-1][1]
        if target != self._state and (target == last or self.spec.allowed(last, target)):
            excursion.add(episode, target)
            return []
        # The state's own screen again, or one that does not follow: the excursion was noise.
        self._drop_excursion()
        return None

    def _leave(self, steps: list[tuple[Episode, str]]) -> list[EventRecord]:
        """Enter ``steps`` now, or start an excursion when the current state holds on."""
        hold = self.spec.hold_to_leave(self._state, steps[0][1])
        if hold is None:
            return self._walk(steps)
        self._excursion = Excursion(self._state, steps, hold, steps[-1][0].track_id)
        return []

    def _remember(self, episode: Episode) -> None:
        """Pool the screen's context fields into its visit's votes (closed: its final ones)."""
        names = self._context_fields.get(episode.class_name, ())
        if episode.closed:
            visit = self._visit_of.pop(episode.track_id, None)
            if visit is None:  # a screen refused or voted down: not part of any visit
                return
        else:
            visit = self._visit_of.setdefault(episode.track_id, self._visit)
        for name in names:
            reading = episode.fields.get(name)
            if reading is not None:
                self._context.add(name, visit, episode.track_id, reading, episode.hits)

    def _vote(self, episode: Episode, target: str) -> bool:
        """Count a screen in a rival vote under way; ``True`` when it was one of its states."""
        counted = False
        for pending in self._pending:
            if pending.vote is not None and target in pending.vote.states:
                pending.vote.see(episode, target)
                counted = True
        return counted

    def _emit(self, pending: Pending) -> EventRecord:
        """The waiting event, with its screen's final fields (and the rival vote's winner)."""
        vote = pending.vote
        if vote is None:
            return self._record(
                pending.rule, pending.episode, pending.seconds, pending.from_state, pending.to_state
            )
        state, episode, share = vote.winner()
        rule = pending.rule
        if state != vote.entered:
            rule = next(
                (
                    r
                    for r in self.spec.events
                    if r.when == "enter" and r.type == rule.type and state in r.states
                ),
                rule,
            )
            if self._state == vote.entered:  # most frames showed the rival: it is the state
                self._state = state
        record = self._record(rule, episode, pending.seconds, pending.from_state, state)
        return replace(record, confidence=record.confidence * share)

    def _on_open(self, episode: Episode) -> list[EventRecord]:
        target = self._state_of.get(episode.class_name)
        if target is None:
            self._remember(episode)
            return []
        self._shown[episode.track_id] = target
        if self._vote(episode, target) and target != self._state:
            # A rival screen of a visit being voted: a vote, not a transition (kept for review).
            self._anomalies.append(self._anomaly(episode, target))
            return []
        if self._excursion is not None:
            extended = self._extend_excursion(episode, target)
            if extended is not None:
                return extended
        if target == self._state:
            self._remember(episode)
            self._refused = None  # the screen agrees with the state
            return []
        if self.spec.allowed(self._state, target):
            self._refused = None
            return self._leave([(episode, target)])
        refused = self._refused
        if refused is not None and self.spec.allowed(refused[1], target):
            # Two refused screens in a row that agree with each other: the machine missed a
            # screen (misclassified, or clicked through). Follow them rather than stay stuck.
            self._refused = None
            return self._leave([refused, (episode, target)])
        self._anomalies.append(self._anomaly(episode, target))
        self._refused = (episode, target)
        return []

    def _anomaly(self, episode: Episode, target: str, source: str | None = None) -> Anomaly:
        return Anomaly(
            episode.start,
            self._state if source is None else source,
            target,
            episode.class_name,
            episode.track_id,
            episode.confidence,
        )

    def _enter(self, episode: Episode, target: str) -> list[EventRecord]:
        """Move to ``target`` on ``episode``; the records its enter rules emit."""
        source = self._state
        self._state = target
        self._visit += 1
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
                rivals = self.spec.states[target].rivals
                vote = RivalVote(target, frozenset([target, *rivals])) if rivals else None
                if vote is not None:
                    vote.see(episode, target)
                self._pending.append(Pending(rule, episode.start, source, target, episode, vote))
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
        out: list[EventRecord] = []
        excursion = self._excursion
        self._shown.pop(episode.track_id, None)
        if excursion is not None and episode.track_id == excursion.latest:
            # The excursion's last screen went: it held long enough, or it was a flicker.
            held = self._held(excursion, episode.end)
            out += self._apply_excursion() if held else self._drop_excursion()
        self._remember(episode)
        ready = []
        for pending in self._pending:
            vote = pending.vote
            if vote is not None and episode.track_id in vote.tracks:
                vote.see(episode, vote.tracks[episode.track_id][0])
                if vote.done():
                    ready.append(pending)
            elif vote is None and pending.episode.track_id == episode.track_id:
                pending.episode = episode  # its final voted fields
                ready.append(pending)
        for pending in ready:
            self._pending.remove(pending)
            out.append(self._emit(pending))
        state, scopes = self._history.at(episode.start, self.spec.initial)
        for rule in self.spec.events:
            if (
                rule.when == "episode"
                and episode.class_name in rule.classes
                and (not rule.states or state in rule.states)
                and scopes.issuperset(rule.requires)
                and scopes.isdisjoint(rule.forbids)
            ):
                record = self._record(rule, episode, episode.start, state, state)
                unread = rule.requires_any_field and all(
                    record.data.get(name) is None for name in rule.requires_any_field
                )
                if unread or self._retracked(rule, episode, record):
                    continue
                self._scopes |= set(rule.opens)
                self._scopes -= set(rule.closes)
                out.append(record)
        return out

    def _retracked(self, rule: EventRuleSpec, episode: Episode, record: EventRecord) -> bool:
        """Whether ``episode`` is an entry this rule already reported, found again."""
        if not rule.retrack_seconds:
            return False
        recent = self._emitted.setdefault(id(rule), [])
        recent[:] = [r for r in recent if episode.start - r[0] <= rule.retrack_seconds]
        for _start, end, data in recent:
            # It began after the earlier one ended (two real entries are shown side by side).
            if episode.start > end and data == record.data:
                return True
        recent.append((episode.start, episode.end, record.data))
        return False

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
        reading = episode.fields.get(name) if prefix == "field" else self._context.get(name)
        if reading is None:
            return None, None
        return reading.value, reading.confidence
