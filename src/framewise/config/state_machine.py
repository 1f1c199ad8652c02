"""The state machine table of a profile: states, allowed transitions and event rules, as data.

A state is entered when a confirmed episode of one of its classes opens. A transition that
the table does not allow is not applied (the engine records it as an anomaly).
A long-lived state (a raid) may name how it is left (``leave``): moves to its ``via`` states
apply at once; any other allowed move only once the new screen has held ``or_hold_seconds``
(the engine records a shorter excursion as anomalies). Event rules say what to emit, and when:

* ``when: enter`` — on entering one of ``states`` (any state when empty), optionally only
  from ``from_states``; with ``wait_for_episode`` the event keeps the entering episode's
  start time but is emitted when that episode closes, so its fields are fully voted.
* ``when: episode`` — when an episode of ``classes`` closes, if it started in one of
  ``states`` (any when empty). With ``retrack_seconds``, an episode with the same data as
  one this rule emitted less than that long before, that began after that one ended, is the
  same entry found again by the tracker (it moved down the feed), not a new event. With
  ``requires_any_field``, an episode none of whose listed fields was read is no event (a
  box around text that is no kill line: a chat overlay).

Rules can require named scopes to be open (``requires``) or closed (``forbids``) and can
open or close them — a ``raid`` scope makes ``raid_start``/``raid_end`` pair up. Event data
values are references: ``field:NAME`` (the episode's voted field), ``context:NAME`` (a value
remembered from earlier screens, see ``context``), ``const:VALUE`` (``const:`` alone is
null), ``state`` and ``from_state``.

Example:
    >>> spec = StateMachineSpec.model_validate({
    ...     "initial": "idle",
    ...     "states": {"idle": {}, "raid": {"classes": ["gameplay_hud"]}},
    ...     "transitions": {"idle": ["raid"]},
    ... })
    >>> spec.state_of_class()
    {'gameplay_hud': 'raid'}
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from framewise.config.base import StrictModel
from framewise.config.loader import load_config

DataRef = Annotated[
    str,
    StringConstraints(
        pattern=r"^((field|context):[A-Za-z_][A-Za-z0-9_]*|const:.*|state|from_state)$"
    ),
]
"""``field:NAME``, ``context:NAME``, ``const:VALUE``, ``state`` or ``from_state``."""


class LeaveSpec(StrictModel):
    """How a long-lived state may be left (a raid is not split by a screen misread for a moment).

    Attributes:
        via: States entered at once (a raid's terminal screens).
        or_hold_seconds: Any other allowed state is entered only once its screen is still
            shown this long after it appeared (screens that follow each other as the table
            allows count as one stay); a shorter excursion is an anomaly and not applied.
    """

    via: list[str] = Field(default_factory=list)
    or_hold_seconds: float = Field(gt=0)


class StateSpec(StrictModel):
    """One state.

    Attributes:
        classes: Detection classes whose confirmed episodes signal this state.
        description: What the screen looks like, for people reading the table.
        reset_context: Entering this state forgets the remembered context (a new raid's
            map and character are chosen after it).
        leave: For a long-lived state: which moves out of it apply at once, and how long
            any other screen must hold (``None``: every allowed move applies at once).
        rivals: States whose screens look like this one's (the terminal screens): an enter
            event that waits for its episode is decided by the frames each showed over the
            visit, and its confidence is the winner's share.
    """

    classes: list[str] = Field(default_factory=list)
    description: str = ""
    reset_context: bool = False
    leave: LeaveSpec | None = None
    rivals: list[str] = Field(default_factory=list)


class ContextRuleSpec(StrictModel):
    """Remember fields of some classes' episodes for later events (e.g. the map name).

    Attributes:
        classes: Classes whose episodes carry the fields.
        fields: Field names copied into the context under the same name.
    """

    classes: list[str] = Field(min_length=1)
    fields: list[str] = Field(min_length=1)


class EventRuleSpec(StrictModel):
    """When to emit an event and what it carries (see the module docstring)."""

    type: str = Field(min_length=1)
    when: Literal["enter", "episode"]
    states: list[str] = Field(default_factory=list)
    from_states: list[str] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    forbids: list[str] = Field(default_factory=list)
    opens: list[str] = Field(default_factory=list)
    closes: list[str] = Field(default_factory=list)
    wait_for_episode: bool = False
    retrack_seconds: float = Field(default=0.0, ge=0)
    requires_any_field: list[str] = Field(default_factory=list)
    data: dict[str, DataRef] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fits_trigger(self) -> EventRuleSpec:
        if self.when == "episode":
            if not self.classes:
                raise ValueError(f"{self.type}: an episode rule needs classes")
            if self.from_states or self.wait_for_episode:
                raise ValueError(
                    f"{self.type}: from_states and wait_for_episode apply only to enter rules"
                )
        elif self.classes or self.retrack_seconds or self.requires_any_field:
            raise ValueError(f"{self.type}: classes and retrack_seconds apply to episode rules")
        return self


class StateMachineSpec(StrictModel):
    """A whole state machine table.

    Attributes:
        name: A label, e.g. ``tarkov``.
        initial: The state before anything is seen.
        states: State name → its settings.
        transitions: State name → states it may move to (self-transitions are implicit).
        context: Fields to remember from screens.
        events: Event rules, evaluated in order.
    """

    name: str = ""
    initial: str
    states: dict[str, StateSpec] = Field(min_length=1)
    transitions: dict[str, list[str]] = Field(default_factory=dict)
    context: list[ContextRuleSpec] = Field(default_factory=list)
    events: list[EventRuleSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> StateMachineSpec:
        known = set(self.states)

        def check(names: list[str] | set[str], where: str) -> None:
            unknown = sorted(set(names) - known)
            if unknown:
                raise ValueError(f"{where} names unknown states {unknown}; declare them in states")

        check([self.initial], "initial")
        check(set(self.transitions), "transitions")
        for source, targets in self.transitions.items():
            check(targets, f"transitions.{source}")
        for state, spec in self.states.items():
            if spec.leave is not None:
                check(spec.leave.via, f"states.{state}.leave.via")
            check(spec.rivals, f"states.{state}.rivals")
        owner: dict[str, str] = {}
        for state, spec in self.states.items():
            for cls in spec.classes:
                if cls in owner:
                    raise ValueError(
                        f"class {cls!r} signals both {owner[cls]!r} and {state!r}; "
                        "a class may signal one state"
                    )
                owner[cls] = state
        opened = {scope for rule in self.events for scope in rule.opens}
        for rule in self.events:
            check(rule.states, f"events[{rule.type}].states")
            check(rule.from_states, f"events[{rule.type}].from_states")
            never = sorted(set(rule.requires) - opened)
            if never:
                raise ValueError(f"events[{rule.type}] requires scopes {never} that no rule opens")
        return self

    def state_of_class(self) -> dict[str, str]:
        """Class name → the state its episodes signal."""
        return {cls: state for state, spec in self.states.items() for cls in spec.classes}

    def hold_to_leave(self, source: str, target: str) -> float | None:
        """Seconds ``target``'s screen must hold to leave ``source`` (``None``: at once)."""
        leave = self.states[source].leave if source in self.states else None
        if leave is None or target in leave.via or target == source:
            return None
        return leave.or_hold_seconds

    def allowed(self, source: str, target: str) -> bool:
        """Whether the table allows ``source`` → ``target`` (staying put always is)."""
        return source == target or target in self.transitions.get(source, ())


def load_state_machine(path: str | Path) -> StateMachineSpec:
    """Load a state machine table from YAML or JSON.

    Raises:
        ConfigError: The file is missing or invalid; the message names the file and line.
    """
    return load_config(path, StateMachineSpec)
