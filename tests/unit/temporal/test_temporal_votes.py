"""Field reads that hold: outcome and game_mode voted over the screen's whole visit."""

from __future__ import annotations

import pytest

from framewise.config import StateMachineSpec
from framewise.temporal import EpisodeRule, FieldValue
from tests.unit.temporal.temporal_timeline import SCREEN, Shown, row_box, run_machine

SCREENS = EpisodeRule(hits=3, period_seconds=0.1, hold_seconds=1.0, min_duration_seconds=0.3)


@pytest.mark.parametrize(
    ("first", "then", "outcome"),
    [
        ("mia_screen", "death_screen", "killed"),
        ("death_screen", "mia_screen", "mia"),
        ("death_screen", "survived_screen", "survived"),
    ],
)
def test_outcome_is_the_terminal_screen_most_frames_showed(
    spec: StateMachineSpec, first: str, then: str, outcome: str
) -> None:
    """The terminal screen fades in looking like another for 0.6 s; the visit's votes win."""
    timeline = [
        Shown("gameplay_hud", 0, 30, SCREEN),
        Shown(first, 30, 30.6, SCREEN),
        Shown(then, 30.6, 37, SCREEN, {"extract_location": "ZB-1011"}),
        Shown("kill_list_screen", 37, 42, SCREEN),
    ]
    records, machine = run_machine(timeline, 45.0, spec, [SCREENS])
    (end,) = [r for r in records if r.type == "raid_end"]
    assert end.seconds == 30.0 and end.data["outcome"] == outcome
    assert end.data["extract_location"] == ("ZB-1011" if outcome == "survived" else None)
    # 64 of the visit's 70 frames: the vote's share is the confidence (× the 0.9 score/read).
    assert end.confidence == pytest.approx(0.9 * 64 / 70)
    assert [(a.to_state, a.evidence) for a in machine.anomalies] == [(outcome, then)]


def test_game_mode_is_voted_over_every_episode_of_the_map_screen(spec: StateMachineSpec) -> None:
    """The map screen is lost for 1.2 s and its second episode misreads the mode: pve holds."""
    misread = {i: {"game_mode": "pvp"} for i in range(52, 60)}
    timeline = [
        Shown(
            "map_select",
            0,
            6,
            SCREEN,
            {"map_name": "customs", "game_mode": "pve"},
            missed=frozenset(range(40, 52)),
            misread=misread,
        ),
        Shown("loading_screen", 6, 12, SCREEN),
        Shown("gameplay_hud", 12, 30, SCREEN),
        Shown("death_screen", 30, 36, SCREEN),
    ]
    records, _ = run_machine(timeline, 40.0, spec, [SCREENS])
    (start,) = [r for r in records if r.type == "raid_start"]
    assert start.data["game_mode"] == "pve" and start.data["map_name"] == "customs"
    # 40 frames read pve, 8 read pvp, all at 0.9: the mode's confidence is its share.
    assert start.confidence == pytest.approx(0.9 * 40 / 48)


def test_a_transfer_map_replaces_the_chosen_one(spec: StateMachineSpec) -> None:
    """A later visit's reading replaces an earlier one; it is not outvoted by it."""
    timeline = [
        Shown("map_select", 0, 10, SCREEN, {"map_name": "customs", "game_mode": "pve"}),
        Shown("loading_screen", 10, 14, SCREEN),
        Shown("gameplay_hud", 14, 40, SCREEN),
        Shown("transfer_screen", 40, 43, SCREEN, {"map_name": "woods"}),
        Shown("loading_screen", 43, 47, SCREEN),
        Shown("gameplay_hud", 47, 60, SCREEN),
    ]
    records, _ = run_machine(timeline, 65.0, spec, [SCREENS])
    starts = [(r.data["map_name"], r.data["game_mode"]) for r in records if r.type == "raid_start"]
    assert starts == [("customs", "pve"), ("woods", "pve")]


def test_a_kill_entry_found_again_lower_in_the_feed_is_one_kill(spec: StateMachineSpec) -> None:
    """The tracker loses an entry as the feed shuffles and finds it a row lower: one kill."""
    kills = EpisodeRule(
        classes=("kill_notification",), hits=3, period_seconds=0.1, hold_seconds=1.0
    )
    fields: dict[str, FieldValue] = {"enemy_type": "scav", "weapon": "M700", "headshot": False}
    timeline = [
        Shown("gameplay_hud", 0, 60, SCREEN),
        Shown("kill_notification", 10, 12, row_box(0), fields),
        Shown("kill_notification", 13.5, 15.5, row_box(2), fields),
        # The same text again 10 s later is another kill.
        Shown("kill_notification", 25, 29, row_box(0), fields),
    ]
    records, _ = run_machine(timeline, 65.0, spec, [kills, SCREENS])
    assert [r.seconds for r in records if r.type == "kill"] == [10.0, 25.0]


def test_a_kill_box_with_no_kill_text_read_is_no_kill(spec: StateMachineSpec) -> None:
    """Chat text boxed as a kill-feed entry reads as neither enemy nor weapon: no kill."""
    kills = EpisodeRule(
        classes=("kill_notification",), hits=3, period_seconds=0.1, hold_seconds=1.0
    )
    unread: dict[str, FieldValue] = {"enemy_type": None, "weapon": None, "headshot": False}
    read: dict[str, FieldValue] = {"enemy_type": None, "weapon": "SVD-S", "headshot": False}
    timeline = [
        Shown("gameplay_hud", 0, 60, SCREEN),
        Shown("kill_notification", 10, 13, row_box(0), unread),
        Shown("kill_notification", 20, 23, row_box(0), read),
    ]
    records, _ = run_machine(timeline, 65.0, spec, [kills, SCREENS])
    assert [r.seconds for r in records if r.type == "kill"] == [20.0]
