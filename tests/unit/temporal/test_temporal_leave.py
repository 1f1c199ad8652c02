"""Leaving a long-lived state: a raid is not split by a screen misfired for a moment."""

from __future__ import annotations

import pytest

from framewise.config import StateMachineSpec
from framewise.temporal import EpisodeFilter, EpisodeRule, EventEngine, EventRecord, StateMachine
from tests.unit.temporal.temporal_timeline import SCREEN, Shown, frames, run_machine

SCREENS = EpisodeRule(hits=3, period_seconds=0.1, hold_seconds=1.5, min_duration_seconds=0.3)


def screen(cls: str, start: float, end: float, missed: frozenset[int] = frozenset()) -> Shown:
    return Shown(cls, start, end, SCREEN, missed=missed)


def engine_records(spec: StateMachineSpec, shown: list[Shown], until: float) -> list[EventRecord]:
    """The timeline through the engine (which tells the machine the time of every frame)."""
    engine = EventEngine(EpisodeFilter([SCREENS]), StateMachine(spec))
    out = [r for t, obs in frames(shown, until) for r in engine.update(t, obs)]
    return out + engine.flush()


# A grainy raid: the HUD is lost on a few frames while "menu" fires there; 0.8 s, then 2.0 s.
HUD_GAPS = frozenset(range(400, 408)) | frozenset(range(900, 920))
FLICKERS = [
    screen("gameplay_hud", 0, 120, missed=HUD_GAPS),
    screen("main_menu", 40.0, 40.8),
    screen("main_menu", 90.0, 92.0),
    screen("death_screen", 120, 126),
]


@pytest.mark.parametrize("with_clock", [True, False], ids=["engine", "machine alone"])
def test_menu_flickers_in_a_raid_are_anomalies(spec: StateMachineSpec, with_clock: bool) -> None:
    if with_clock:
        records = engine_records(spec, FLICKERS, 130.0)
        machine_anomalies = None
    else:
        records, machine = run_machine(FLICKERS, 130.0, spec, [SCREENS])
        machine_anomalies = machine.anomalies
    starts = [r.seconds for r in records if r.type == "raid_start"]
    ends = [(r.seconds, r.data["outcome"]) for r in records if r.type == "raid_end"]
    assert starts == [0.0] and ends == [(120.0, "killed")]
    if machine_anomalies is not None:
        assert [(a.seconds, a.from_state, a.to_state) for a in machine_anomalies] == [
            (40.0, "raid", "menu"),
            (90.0, "raid", "menu"),
        ]


def test_a_menu_held_without_the_hud_ends_the_raid_at_its_start(spec: StateMachineSpec) -> None:
    """Quit to the menu: the raid ends when the menu appeared, decided 2.5 s later."""
    timeline = [
        screen("gameplay_hud", 0, 60),
        screen("main_menu", 60, 70),
        screen("character_select", 70, 74),
    ]
    engine = EventEngine(EpisodeFilter([SCREENS]), StateMachine(spec))
    decided_at = None
    records: list[EventRecord] = []
    for t, obs in frames(timeline, 80.0):
        new = engine.update(t, obs)
        if decided_at is None and any(r.type == "raid_end" for r in new):
            decided_at = t
        records += new
    (end,) = [r for r in records if r.type == "raid_end"]
    assert (end.seconds, end.data["outcome"]) == (60.0, "unknown")
    # Not before the hold (60 + 2.5 s); well before the menu's screen goes (70 s).
    assert decided_at is not None and 62.5 <= decided_at < 64.0
    states = [r.data["to_state"] for r in records if r.type == "state_transition"]
    assert states == ["raid", "menu", "character_select"]


def test_a_held_excursion_while_the_hud_is_still_seen_is_refused(spec: StateMachineSpec) -> None:
    """A misfire that lasts (3 s of "statistics" over a HUD still detected) splits nothing."""
    timeline = [
        screen("gameplay_hud", 0, 60),
        screen("statistics_screen", 20, 23),
        screen("survived_screen", 60, 66),
    ]
    records = engine_records(spec, timeline, 70.0)
    assert [(r.type, r.seconds) for r in records if r.type.startswith("raid_")] == [
        ("raid_start", 0.0),
        ("raid_end", 60.0),
    ]


def test_leave_names_known_states() -> None:
    table = {
        "initial": "idle",
        "states": {"idle": {}, "raid": {"classes": ["hud"], "leave": {"via": ["gone"]}}},
    }
    with pytest.raises(ValueError, match="or_hold_seconds"):
        StateMachineSpec.model_validate(table)
    table["states"]["raid"]["leave"] = {"via": ["gone"], "or_hold_seconds": 2}  # type: ignore[index]
    with pytest.raises(ValueError, match=r"states.raid.leave.via names unknown states \['gone'\]"):
        StateMachineSpec.model_validate(table)


def test_two_refused_screens_of_one_state_enter_it_once(spec: StateMachineSpec) -> None:
    """Followed after two refused screens of the same state: one transition, not a self-move."""
    timeline = [
        screen("gameplay_hud", 0, 20),
        screen("survived_screen", 20, 25),
        screen("queue_timer", 26, 29),
        screen("loading_screen", 30, 34),
    ]
    records, machine = run_machine(timeline, 38.0, spec, [SCREENS])
    moves = [
        (r.data["from_state"], r.data["to_state"]) for r in records if r.type == "state_transition"
    ]
    assert moves == [("idle", "raid"), ("raid", "survived"), ("survived", "deploying")]
    assert [(a.from_state, a.to_state) for a in machine.anomalies] == [("survived", "deploying")]
