"""The state machine engine: transitions and anomalies (Tarkov table), rules, records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from framewise.config import StateMachineSpec
from framewise.core.events import Event
from framewise.temporal import Episode, EventRecord, FieldReading, StateMachine
from tests.unit.temporal.temporal_timeline import SCREEN


def opened(cls: str, start: float, track_id: int, **fields: object) -> Episode:
    readings = {k: FieldReading(v, 0.8) for k, v in fields.items()}  # type: ignore[arg-type]
    return Episode(cls, track_id, start, start + 1, 0.9, start, SCREEN, readings, 10, closed=False)


def closed(episode: Episode) -> Episode:
    return Episode(
        episode.class_name,
        episode.track_id,
        episode.start,
        episode.end,
        episode.confidence,
        episode.best_seconds,
        episode.box,
        episode.fields,
        episode.hits,
        closed=True,
    )


FLOW = [
    "main_menu",
    "character_select",
    "map_select",
    "insurance_screen",
    "loading_screen",
    "get_ready",
    "gameplay_hud",
    "survived_screen",
    "kill_list_screen",
    "statistics_screen",
    "experience_screen",
    "main_menu",
]

# (case, classes opened one after another, final state, anomalies as (from, to))
TRANSITION_CASES: list[tuple[str, list[str], str, list[tuple[str, str]]]] = [
    ("the whole PMC flow", FLOW, "menu", []),
    ("idle → survived is impossible", ["survived_screen"], "idle", [("idle", "survived")]),
    (
        "idle → killed is impossible",
        ["death_screen", "mia_screen"],
        "idle",
        [("idle", "killed"), ("idle", "mia")],
    ),
    ("a recording may start mid-raid", ["gameplay_hud", "death_screen"], "killed", []),
    ("menu → raid skips the deploy", ["main_menu", "gameplay_hud"], "menu", [("menu", "raid")]),
    (
        "SCAV skips insurance",
        ["map_select", "queue_timer", "match_found", "get_ready", "gameplay_hud"],
        "raid",
        [],
    ),
    ("matching may be cancelled", ["map_select", "queue_timer", "main_menu"], "menu", []),
    (
        "get ready cannot go back",
        ["get_ready", "main_menu", "gameplay_hud"],
        "raid",
        [("get_ready", "menu")],
    ),
    (
        "a map screen in raid is noise",
        ["gameplay_hud", "map_select", "death_screen"],
        "killed",
        [("raid", "map_select")],
    ),
    (
        "a transfer leads to a new load",
        ["gameplay_hud", "transfer_screen", "loading_screen", "gameplay_hud"],
        "raid",
        [],
    ),
    (
        "two refused screens that follow each other mean a missed screen: follow them",
        [
            "main_menu",
            "character_select",
            "experience_screen",
            "insurance_screen",
            "queue_timer",
            "get_ready",
            "gameplay_hud",
        ],
        "raid",
        [("character_select", "experience"), ("character_select", "insurance")],
    ),
    (
        "no survival after death",
        ["gameplay_hud", "death_screen", "survived_screen"],
        "killed",
        [("killed", "survived")],
    ),
    (
        "the same screen again is no transition",
        ["main_menu", "stash_screen", "main_menu"],
        "menu",
        [],
    ),
    ("classes the table does not know are ignored", ["kill_notification", "weird"], "idle", []),
]


@pytest.mark.parametrize(
    ("case", "classes", "final", "anomalies"),
    TRANSITION_CASES,
    ids=[c[0] for c in TRANSITION_CASES],
)
def test_transitions(
    spec: StateMachineSpec,
    case: str,
    classes: list[str],
    final: str,
    anomalies: list[tuple[str, str]],
) -> None:
    machine = StateMachine(spec)
    for i, cls in enumerate(classes):
        machine.update([opened(cls, 10.0 * i, i + 1)])
    assert machine.state == final, case
    assert [(a.from_state, a.to_state) for a in machine.anomalies] == anomalies, case


def test_anomaly_keeps_time_and_evidence(spec: StateMachineSpec) -> None:
    machine = StateMachine(spec)
    assert machine.update([opened("survived_screen", 12.5, 7)]) == []
    (anomaly,) = machine.anomalies
    assert (anomaly.seconds, anomaly.evidence, anomaly.track_id) == (12.5, "survived_screen", 7)
    assert anomaly.confidence == pytest.approx(0.9)


def test_confidence_is_the_weakest_part(spec: StateMachineSpec) -> None:
    machine = StateMachine(spec)
    machine.update([opened("map_select", 0.0, 1, map_name="customs", game_mode="pve")])
    machine.update([opened("loading_screen", 5.0, 2)])
    (transition, start) = machine.update([opened("gameplay_hud", 9.0, 3)])
    assert transition.confidence == pytest.approx(0.9)
    assert start.type == "raid_start" and start.confidence == pytest.approx(0.8)
    assert start.evidence == "gameplay_hud" and start.track_id == 3


def test_waiting_raid_end_is_emitted_when_its_screen_closes(spec: StateMachineSpec) -> None:
    machine = StateMachine(spec)
    machine.update([opened("gameplay_hud", 0.0, 1)])
    screen_open = opened("survived_screen", 50.0, 2, extract_location="Ruaf")
    records = machine.update([screen_open])
    assert [r.type for r in records] == ["state_transition"]
    assert machine.state == "survived" and "raid" not in machine.scopes
    records = machine.update([closed(screen_open)])
    assert [(r.type, r.seconds, r.data["extract_location"]) for r in records] == [
        ("raid_end", 50.0, "Ruaf")
    ]
    assert machine.flush() == []


def test_record_to_event() -> None:
    record = EventRecord("kill", 12.5, 0.8, {"weapon": "M4A1"}, "kill_notification", 4, 13.0)
    start = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
    event = record.to_event("evt_001", start, 750, thumbnail="thumbnails/evt_001.jpg")
    assert isinstance(event, Event)
    dumped = event.model_dump(mode="json")
    assert dumped["timestamp"] == "2026-01-15T18:00:00Z"
    assert (dumped["video_offset_seconds"], dumped["frame_number"]) == (12.5, 750)
    assert dumped["data"] == {"weapon": "M4A1"} and dumped["confidence"] == 0.8


LIGHTS = StateMachineSpec.model_validate(
    {
        "initial": "off",
        "states": {
            "off": {},
            "green": {"classes": ["green_light"]},
            "red": {"classes": ["red_light"]},
        },
        "transitions": {"off": ["green", "red"], "green": ["red"], "red": ["green"]},
        "events": [
            {
                "type": "stop",
                "when": "enter",
                "states": ["red"],
                "from_states": ["green"],
                "data": {"was": "from_state", "now": "state", "why": "const:light"},
            },
            {
                "type": "car_on_red",
                "when": "episode",
                "classes": ["car"],
                "states": ["red"],
                "data": {"plate": "field:plate", "colour": "context:colour"},
            },
        ],
        "context": [{"classes": ["green_light", "red_light"], "fields": ["colour"]}],
    }
)

# (case, opened (class, start, fields), closed classes, expected (type, seconds, data))
LIGHT_CASES = [
    ("from_states limits an enter rule", [("red_light", 0, {})], [], []),
    (
        "green → red stops",
        [("green_light", 0, {}), ("red_light", 5, {})],
        [],
        [("stop", 5.0, {"was": "green", "now": "red", "why": "light"})],
    ),
    (
        "episode rule needs the state at the episode's start",
        [("green_light", 0, {}), ("car", 2, {"plate": "AB1"}), ("red_light", 5, {})],
        ["car"],
        [("stop", 5.0, {"was": "green", "now": "red", "why": "light"})],
    ),
    (
        "a car seen on red, with context",
        [("red_light", 0, {"colour": "crimson"}), ("car", 2, {"plate": "AB1"})],
        ["car"],
        [("car_on_red", 2.0, {"plate": "AB1", "colour": "crimson"})],
    ),
    (
        "a car without a read plate",
        [("red_light", 0, {}), ("car", 2, {})],
        ["car"],
        [("car_on_red", 2.0, {"plate": None, "colour": None})],
    ),
]


@pytest.mark.parametrize(
    ("case", "opens", "closes", "expected"), LIGHT_CASES, ids=[c[0] for c in LIGHT_CASES]
)
def test_generic_rules(
    case: str,
    opens: list[tuple[str, float, dict[str, object]]],
    closes: list[str],
    expected: list[tuple[str, float, dict[str, object]]],
) -> None:
    machine = StateMachine(LIGHTS)
    episodes = [opened(cls, t, i + 1, **f) for i, (cls, t, f) in enumerate(opens)]
    records = machine.update(episodes)
    records += machine.update([closed(e) for e in episodes if e.class_name in closes])
    records += machine.flush()
    assert [(r.type, r.seconds, dict(r.data)) for r in records] == expected, case
