"""The session script and its truth follow the profile's state machine table."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest

from framewise.config.state_machine import StateMachineSpec, load_state_machine
from framewise.core.errors import ConfigError
from framewise.profiles import profile_dir
from framewise.synth.script import Script, make_script
from framewise.synth.truth import build_truth
from framewise.synth.vocab import (
    BLANK,
    CLASSES,
    ENEMY_TYPES,
    EXTRACTS,
    INITIAL_STATE,
    MAPS,
    STATE_OF_CLASS,
    WEAPONS,
)

START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
CASES = [(seed, in_raid) for seed in range(6) for in_raid in (False, True)]


@pytest.fixture(scope="module")
def table() -> StateMachineSpec:
    return load_state_machine(profile_dir("tarkov") / "state_machine.yaml")


def frames(seconds: float, fps: float = 10.0) -> list[float]:
    return [k / fps for k in range(int(seconds * fps))]


def test_classes_are_the_tables(table: StateMachineSpec) -> None:
    owners = table.state_of_class()
    for cls, state in STATE_OF_CLASS.items():
        assert owners[cls] == state, cls
    episode_classes = {c for rule in table.events if rule.when == "episode" for c in rule.classes}
    assert "kill_notification" in episode_classes
    assert len(set(CLASSES)) == len(CLASSES)
    assert table.initial == INITIAL_STATE


def test_same_seed_same_script() -> None:
    assert make_script(7, 900.0) == make_script(7, 900.0)
    assert make_script(7, 900.0) != make_script(8, 900.0)


@pytest.mark.parametrize(("seed", "in_raid"), CASES)
def test_screens_cover_the_session_back_to_back(seed: int, in_raid: bool) -> None:
    script = make_script(seed, 1200.0, start_in_raid=in_raid)
    assert script.screens[0].start == 0.0
    assert script.screens[-1].end == pytest.approx(1200.0)
    for before, after in zip(script.screens, script.screens[1:], strict=False):
        assert before.end == after.start
        assert after.end > after.start
    assert {s.cls for s in script.screens} <= {*STATE_OF_CLASS, BLANK}


@pytest.mark.parametrize(("seed", "in_raid"), CASES)
def test_transitions_are_allowed_by_the_table(
    table: StateMachineSpec, seed: int, in_raid: bool
) -> None:
    script = make_script(seed, 1800.0, start_in_raid=in_raid)
    events, _, _ = build_truth(script, frames(1800.0), START)
    state = table.initial
    moves = [e for e in events if e.type == "state_transition"]
    assert len(moves) > 20
    for event in moves:
        assert event.data["from_state"] == state
        assert table.allowed(state, str(event.data["to_state"])), event
        state = str(event.data["to_state"])


@pytest.mark.parametrize(("seed", "in_raid"), CASES)
def test_kills_lie_inside_raids_and_raids_pair_up(seed: int, in_raid: bool) -> None:
    script = make_script(seed, 1800.0, start_in_raid=in_raid)
    events, _, raids = build_truth(script, frames(1800.0), START)
    in_raid_now = False
    kills = 0
    for event in events:
        if event.type == "raid_start":
            assert not in_raid_now
            in_raid_now = True
            assert event.data["map_name"] in MAPS or (in_raid and event.data["map_name"] is None)
        elif event.type == "raid_end":
            assert in_raid_now
            in_raid_now = False
            outcome = event.data["outcome"]
            assert (event.data["extract_location"] is not None) == (outcome == "survived")
        elif event.type == "kill":
            assert in_raid_now, event
            assert event.data["enemy_type"] in ENEMY_TYPES
            assert event.data["weapon"] in WEAPONS
            kills += 1
    assert kills == sum(r.kills for r in raids) > 0
    for raid in script.raids:
        for kill in raid.kills:
            assert raid.start <= kill.time <= raid.end - 2.0
        if raid.extract_location is not None:
            assert raid.extract_location in EXTRACTS[raid.map_name]


def test_events_sit_on_frames_in_time_order() -> None:
    times = frames(900.0, fps=7.0)
    events, visits, _ = build_truth(make_script(2, 900.0), times, START)
    offsets = [e.video_offset_seconds for e in events]
    assert offsets == sorted(offsets)
    for event in events:
        assert times[event.frame_number] == event.video_offset_seconds
        assert (event.timestamp - START).total_seconds() == pytest.approx(
            event.video_offset_seconds
        )
    for visit in visits:
        assert visit.first_frame <= visit.last_frame
        assert visit.state == STATE_OF_CLASS[visit.cls]


def test_a_session_started_in_a_raid_opens_with_it() -> None:
    script = make_script(3, 600.0, start_in_raid=True)
    events, _, _ = build_truth(script, frames(600.0), START)
    assert script.screens[0].cls == "gameplay_hud"
    assert events[0].data == {"from_state": "idle", "to_state": "raid"}
    assert events[1].type == "raid_start"
    assert events[1].frame_number == 0
    # Nothing in the recording shows the opening raid's map, character or mode.
    assert events[1].data == {"map_name": None, "character_type": None, "game_mode": None}
    assert script.raids[0].map_name in MAPS  # the raid itself had them
    later = [e for e in events[2:] if e.type == "raid_start"]
    assert later and all(None not in e.data.values() for e in later)


def test_short_raids_give_more_rare_screens_per_minute() -> None:
    """--short-raids: every raid 15-40 s, so terminal and post-raid screens come more often."""
    short = make_script(12, 1800.0, short_raids=True)
    normal = make_script(12, 1800.0)
    assert all(15.0 <= r.end - r.start <= 40.0 for r in short.raids[:-1])  # the last may be cut
    assert any(r.end - r.start > 40.0 for r in normal.raids)

    def terminal_screens(script: Script) -> int:
        return sum(
            s.cls in ("survived_screen", "death_screen", "mia_screen") for s in script.screens
        )

    assert terminal_screens(short) > 1.5 * terminal_screens(normal)


def test_stream_pacing_is_paced_as_real_recordings(table: StateMachineSpec) -> None:
    """--pacing stream: raids of minutes and kills minutes apart, as a backfill reads."""
    hours = 3 * 3600.0
    stream = make_script(923, hours, pacing="stream")
    game = make_script(923, hours)
    assert make_script(923, hours, pacing="game") == game  # the default, unchanged
    whole = [r for r in stream.raids if r.end < stream.seconds]
    assert len(whole) >= 3 and all(300.0 <= r.end - r.start <= 1800.0 for r in whole)
    gaps = [b.time - a.time for a, b in pairwise(stream.kills) if a.raid_id == b.raid_id]
    assert max(gaps) >= 60.0  # bursts aside, kills come minutes apart
    assert len(stream.kills) * 4 < len(game.kills)
    # The same flow as the game's: every screen change one the state machine allows.
    events, _, _ = build_truth(stream, frames(hours, fps=2.0), START)
    state = table.initial
    for event in (e for e in events if e.type == "state_transition"):
        assert table.allowed(state, str(event.data["to_state"])), event
        state = str(event.data["to_state"])


def test_an_unknown_pacing_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown pacing 'slow'") as caught:
        make_script(1, 60.0, pacing="slow")
    assert "game, short, stream" in (caught.value.hint or "")
    with pytest.raises(ConfigError, match="contradict"):
        make_script(1, 60.0, short_raids=True, pacing="stream")
