"""Tarkov sessions as scripted timelines → episodes → state machine → events (tables)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from framewise.config import StateMachineSpec
from framewise.temporal import EpisodeRule
from tests.unit.temporal.temporal_timeline import SCREEN, Shown, row_box, run_machine

SCREENS = EpisodeRule(hits=3, period_seconds=0.1, hold_seconds=1.0, min_duration_seconds=0.3)
KILLS = EpisodeRule(classes=("kill_notification",), hits=3, period_seconds=0.1, hold_seconds=1.0)


def screen(cls: str, start: float, end: float, **fields: object) -> Shown:
    return Shown(cls, start, end, SCREEN, fields)  # type: ignore[arg-type]


def kill(start: float, end: float, row: int = 0, **fields: object) -> Shown:
    values = fields or {"enemy_type": "scav", "weapon": "AK-74M", "headshot": False}
    return Shown("kill_notification", start, end, row_box(row), values)  # type: ignore[arg-type]


PMC_RAID = [
    screen("main_menu", 0, 5),
    screen("character_select", 5, 8, character_type="pmc"),
    screen("map_select", 8, 12, map_name="customs", game_mode="pve"),
    screen("insurance_screen", 12, 14),
    screen("loading_screen", 14, 20),
    screen("get_ready", 20, 25),
    screen("gameplay_hud", 25, 100),
    kill(40, 44),
    kill(60, 64, 0, enemy_type="pmc", weapon="M4A1", headshot=True),
    kill(60, 64, 1, enemy_type="pmc", weapon="M4A1", headshot=True),
    screen("survived_screen", 100, 105, extract_location="ZB-1011"),
    screen("kill_list_screen", 105, 108),
    screen("statistics_screen", 108, 111),
    screen("experience_screen", 111, 114),
    screen("main_menu", 114, 120),
]
PMC_EVENTS = [
    ("raid_start", 25.0, {"map_name": "customs", "character_type": "pmc", "game_mode": "pve"}),
    ("kill", 40.0, {"enemy_type": "scav", "weapon": "AK-74M", "headshot": False}),
    ("kill", 60.0, {"enemy_type": "pmc", "weapon": "M4A1", "headshot": True}),
    ("kill", 60.0, {"enemy_type": "pmc", "weapon": "M4A1", "headshot": True}),
    ("raid_end", 100.0, {"outcome": "survived", "extract_location": "ZB-1011"}),
]
PMC_STATES = [
    "menu",
    "character_select",
    "map_select",
    "insurance",
    "deploying",
    "get_ready",
    "raid",
    "survived",
    "kill_list",
    "statistics",
    "experience",
    "menu",
]

SCAV_PVP = [
    screen("character_select", 0, 3, character_type="scav"),
    screen("map_select", 3, 6, map_name="woods", game_mode="pvp"),
    screen("queue_timer", 6, 20),
    screen("match_found", 20, 22),
    screen("loading_screen", 22, 25),
    screen("get_ready", 25, 30),
    screen("gameplay_hud", 30, 80),
    kill(78, 82, enemy_type="boss", weapon="SVD-S", headshot=True),
    screen("death_screen", 80, 85),
    screen("statistics_screen", 85, 90),
]
SCAV_EVENTS = [
    ("raid_start", 30.0, {"map_name": "woods", "character_type": "scav", "game_mode": "pvp"}),
    ("kill", 78.0, {"enemy_type": "boss", "weapon": "SVD-S", "headshot": True}),
    ("raid_end", 80.0, {"outcome": "killed", "extract_location": None}),
]

TRANSFER = [
    screen("character_select", 0, 3, character_type="pmc"),
    screen("map_select", 3, 6, map_name="customs", game_mode="pve"),
    screen("loading_screen", 6, 10),
    screen("gameplay_hud", 10, 50),
    screen("transfer_screen", 50, 53, map_name="woods"),
    screen("loading_screen", 53, 58),
    screen("gameplay_hud", 58, 90),
    screen("mia_screen", 90, 95),
]
TRANSFER_EVENTS = [
    ("raid_start", 10.0, {"map_name": "customs", "character_type": "pmc", "game_mode": "pve"}),
    ("raid_end", 50.0, {"outcome": "transfer", "extract_location": None}),
    ("raid_start", 58.0, {"map_name": "woods", "character_type": "pmc", "game_mode": "pve"}),
    ("raid_end", 90.0, {"outcome": "mia", "extract_location": None}),
]

NO_CONTEXT = {"map_name": None, "character_type": None, "game_mode": None}
SCENARIOS = [
    ("PMC PVE raid survived", PMC_RAID, 125.0, PMC_EVENTS, PMC_STATES, 0),
    (
        "SCAV PVP raid killed, kill shown across the death",
        SCAV_PVP,
        95.0,
        SCAV_EVENTS,
        [
            "character_select",
            "map_select",
            "deploying",
            "get_ready",
            "raid",
            "killed",
            "statistics",
        ],
        0,
    ),
    (
        "a transfer ends a raid and starts the next",
        TRANSFER,
        100.0,
        TRANSFER_EVENTS,
        [
            "character_select",
            "map_select",
            "deploying",
            "raid",
            "transfer",
            "deploying",
            "raid",
            "mia",
        ],
        0,
    ),
    (
        "recording starts mid-raid; the terminal screen is missed",
        [screen("gameplay_hud", 0, 30), kill(10, 13), screen("kill_list_screen", 30, 33)],
        40.0,
        [
            ("raid_start", 0.0, NO_CONTEXT),
            ("kill", 10.0, {"enemy_type": "scav", "weapon": "AK-74M", "headshot": False}),
            ("raid_end", 30.0, {"outcome": "unknown", "extract_location": None}),
        ],
        ["raid", "kill_list"],
        0,
    ),
    (
        "a false map screen in raid is an anomaly and the raid goes on",
        [
            screen("gameplay_hud", 0, 20),
            screen("map_select", 8, 9),
            kill(12, 15),
            screen("death_screen", 20, 24),
        ],
        30.0,
        [
            ("raid_start", 0.0, NO_CONTEXT),
            ("kill", 12.0, {"enemy_type": "scav", "weapon": "AK-74M", "headshot": False}),
            ("raid_end", 20.0, {"outcome": "killed", "extract_location": None}),
        ],
        ["raid", "killed"],
        1,
    ),
    (
        "kill-feed noise outside a raid is no kill; idle → survived is refused",
        [screen("survived_screen", 0, 5), kill(6, 9), screen("main_menu", 10, 15)],
        20.0,
        [],
        ["menu"],
        1,
    ),
    (
        "the recording ends on the survived screen",
        [
            screen("gameplay_hud", 0, 10),
            screen("survived_screen", 10, 20, extract_location="Old Gas"),
        ],
        20.0,
        [
            ("raid_start", 0.0, NO_CONTEXT),
            ("raid_end", 10.0, {"outcome": "survived", "extract_location": "Old Gas"}),
        ],
        ["raid", "survived"],
        0,
    ),
]


@pytest.mark.parametrize(
    ("case", "timeline", "until", "events", "states", "anomalies"),
    SCENARIOS,
    ids=[s[0] for s in SCENARIOS],
)
def test_scenarios(
    spec: StateMachineSpec,
    case: str,
    timeline: list[Shown],
    until: float,
    events: Sequence[tuple[str, float, Mapping[str, object]]],
    states: list[str],
    anomalies: int,
) -> None:
    records, machine = run_machine(timeline, until, spec, [KILLS, SCREENS])
    got = [(r.type, r.seconds, dict(r.data)) for r in records if r.type != "state_transition"]
    assert got == [(t, s, dict(d)) for t, s, d in events], case
    transitions = [r for r in records if r.type == "state_transition"]
    assert [r.data["to_state"] for r in transitions] == states, case
    assert [r.data["from_state"] for r in transitions[1:]] == states[:-1], case
    assert len(machine.anomalies) == anomalies, case


def test_state_transition_times_are_screen_starts(spec: StateMachineSpec) -> None:
    records, _ = run_machine(PMC_RAID, 125.0, spec, [KILLS, SCREENS])
    times = [r.seconds for r in records if r.type == "state_transition"]
    assert times == [0.0, 5.0, 8.0, 12.0, 14.0, 20.0, 25.0, 100.0, 105.0, 108.0, 111.0, 114.0]
    first = next(r for r in records if r.type == "state_transition")
    assert first.data == {"from_state": "idle", "to_state": "menu"}


def test_misread_extract_location_is_voted(spec: StateMachineSpec) -> None:
    survived = Shown(
        "survived_screen",
        10,
        15,
        SCREEN,
        {"extract_location": "ZB-1011"},
        misread={101: {"extract_location": "ZB-1O11"}, 102: {"extract_location": "Z8-1011"}},
    )
    records, _ = run_machine([screen("gameplay_hud", 0, 10), survived], 20.0, spec, [SCREENS])
    (end,) = [r for r in records if r.type == "raid_end"]
    assert end.data["extract_location"] == "ZB-1011"
    assert end.confidence == pytest.approx(0.9 * 48 / 50)  # 48 of 50 frames agree at 0.9


def test_context_resets_on_menu(spec: StateMachineSpec) -> None:
    timeline = [
        screen("map_select", 0, 3, map_name="customs", game_mode="pve"),
        screen("loading_screen", 3, 6),
        screen("gameplay_hud", 6, 20),
        screen("death_screen", 20, 23),
        screen("main_menu", 23, 26),
        screen("character_select", 26, 29, character_type="scav"),
        screen("map_select", 29, 32),  # the map name is not read this time
        screen("loading_screen", 32, 35),
        screen("gameplay_hud", 35, 50),
    ]
    records, _ = run_machine(timeline, 55.0, spec, [SCREENS])
    starts = [dict(r.data) for r in records if r.type == "raid_start"]
    assert starts == [
        {"map_name": "customs", "character_type": None, "game_mode": "pve"},
        {"map_name": None, "character_type": "scav", "game_mode": None},
    ]
