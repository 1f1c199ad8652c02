"""Tracker and episode filter as tables of scripted timelines (10 fps sampling)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import pytest

from framewise.config import PipelineConfig
from framewise.core.detections import Detections
from framewise.temporal import (
    EpisodeFilter,
    EpisodeRule,
    FieldReading,
    IouTracker,
    Observation,
    observations_from_detections,
)
from tests.unit.temporal.temporal_timeline import SCREEN, Shown, frames, row_box, run_episodes

KILL_RULE = EpisodeRule(
    classes=("kill_notification",),
    hits=3,
    period_seconds=0.1,
    hold_seconds=1.0,
    min_duration_seconds=0.2,
    min_confidence=0.3,
)
SCAV_AK = {"enemy_type": "scav", "weapon": "AK-74M", "headshot": False}
PMC_M4 = {"enemy_type": "pmc", "weapon": "M4A1", "headshot": True}


def kill(start: float, end: float, row: int = 0, **kw: object) -> Shown:
    fields = kw.pop("fields", SCAV_AK)
    return Shown("kill_notification", start, end, row_box(row), fields, **kw)  # type: ignore[arg-type]


# (case, timeline, expected closed episodes as (start, end, fields))
Expected = Sequence[tuple[float, float, Mapping[str, object]]]
EPISODE_CASES: list[tuple[str, list[Shown], Expected]] = [
    ("a kill shown 4 s is one episode", [kill(1.0, 5.0)], [(1.0, 4.9, SCAV_AK)]),
    (
        "missed frames inside the 4 s do not split it",
        [kill(1.0, 5.0, missed=frozenset({14, 15, 16, 17, 30, 31}))],
        [(1.0, 4.9, SCAV_AK)],
    ),
    (
        "two identical kills in two rows at once are two",
        [kill(1.0, 5.0, row=0), kill(1.0, 5.0, row=1)],
        [(1.0, 4.9, SCAV_AK), (1.0, 4.9, SCAV_AK)],
    ),
    (
        "the same kill text again after a long gap is a second kill",
        [kill(1.0, 3.0), kill(6.0, 8.0)],
        [(1.0, 2.9, SCAV_AK), (6.0, 7.9, SCAV_AK)],
    ),
    (
        "a gap shorter than the hold is bridged",
        [kill(1.0, 3.0), kill(3.5, 5.0)],
        [(1.0, 4.9, SCAV_AK)],
    ),
    (
        "an entry pushed down a row by a newer one stays one",
        [kill(1.0, 3.0, row=0), kill(3.0, 5.0, row=1), kill(3.0, 6.0, row=0, fields=PMC_M4)],
        [(1.0, 4.9, SCAV_AK), (3.0, 5.9, PMC_M4)],
    ),
    (
        "a different kill replacing it in place is a second kill",
        [kill(1.0, 3.0), kill(3.0, 5.0, fields={"enemy_type": "boss", "weapon": "SVD-S"})],
        [(1.0, 2.9, SCAV_AK), (3.0, 4.9, {"enemy_type": "boss", "weapon": "SVD-S"})],
    ),
    ("a two-frame flicker is not confirmed", [kill(1.0, 1.2)], []),
    (
        "confirmed but shorter than the minimum duration",
        [kill(1.0, 1.2), kill(1.2, 1.25, row=4)],
        [],
    ),
    (
        "misreads in a few frames are outvoted",
        [
            kill(
                1.0,
                3.0,
                misread={
                    12: {"weapon": "AK-74"},
                    13: {"weapon": "AK-74"},
                    20: {"enemy_type": "sc4v"},
                },
            )
        ],
        [(1.0, 2.9, SCAV_AK)],
    ),
    (
        "misreads in every third frame neither split nor delay it",
        [kill(1.0, 3.0, misread={i: {"weapon": "AK-74"} for i in range(11, 30, 3)})],
        [(1.0, 2.9, SCAV_AK)],
    ),
    (
        "new text in place for fewer frames than split_after is noise",
        [kill(1.0, 3.0, misread={i: {"enemy_type": "pmc"} for i in range(15, 19)})],
        [(1.0, 2.9, SCAV_AK)],
    ),
    (
        "a second, looser box around the same entry (read short) is not a second kill",
        [
            kill(1.0, 3.0),
            Shown(
                "kill_notification",
                1.5,
                2.5,
                (1480.0, 96.0, 1910.0, 128.0),
                {"enemy_type": "scav", "weapon": "AK-74M", "headshot": True},
                confidence=0.5,
            ),
        ],
        [(1.0, 2.9, SCAV_AK)],
    ),
    (
        "a box half a row off that reads the same entry is not a second kill",
        [
            kill(1.0, 3.0),
            Shown(
                "kill_notification",
                1.5,
                2.5,
                (1500.0, 118.0, 1900.0, 142.0),
                SCAV_AK,  # type: ignore[arg-type]
                confidence=0.5,
            ),
        ],
        [(1.0, 2.9, SCAV_AK)],
    ),
    ("below min_confidence is ignored", [kill(1.0, 3.0, confidence=0.2)], []),
    ("classes without a rule are ignored", [Shown("gameplay_hud", 0.0, 5.0)], []),
]


@pytest.mark.parametrize(
    ("case", "timeline", "expected"), EPISODE_CASES, ids=[c[0] for c in EPISODE_CASES]
)
def test_episodes(case: str, timeline: list[Shown], expected: Expected) -> None:
    episodes = run_episodes(timeline, until=12.0, rules=[KILL_RULE])
    closed = [e for e in episodes if e.closed]
    got = [(e.start, round(e.end, 6), {k: r.value for k, r in e.fields.items()}) for e in closed]
    assert sorted(got, key=repr) == sorted([(s, e, dict(f)) for s, e, f in expected], key=repr), (
        case
    )
    opened = [e.track_id for e in episodes if not e.closed]
    assert sorted(opened) == sorted(e.track_id for e in closed), "one open notice per episode"


def test_split_after_zero_merges_a_replacement_in_place() -> None:
    rule = dataclasses.replace(KILL_RULE, split_after=0, max_misread=2)
    timeline = [kill(1.0, 3.0), kill(3.0, 5.0, fields={"enemy_type": "boss", "weapon": "SVD-S"})]
    closed = [e for e in run_episodes(timeline, 8.0, [rule]) if e.closed]
    assert [(e.start, round(e.end, 6)) for e in closed] == [(1.0, 4.9)]
    assert closed[0].fields["weapon"].value == "AK-74M"  # 20 frames against 20: first seen


def test_new_text_after_a_gap_starts_a_new_kill_at_once() -> None:
    """With a long split_after (the Tarkov profile's 30), a kill that takes the place of one
    that went 0.8 s earlier, and is pushed down a row 1 s later, still starts when it
    appeared and keeps its own fields."""
    rule = dataclasses.replace(KILL_RULE, split_after=30)
    boss = {"enemy_type": "boss", "weapon": "SVD-S", "headshot": False}
    timeline = [
        kill(1.0, 3.0),
        kill(3.8, 4.8, fields=PMC_M4),
        kill(4.8, 7.0, row=1, fields=PMC_M4),
        kill(4.8, 7.0, fields=boss),
    ]
    closed = [e for e in run_episodes(timeline, 10.0, [rule]) if e.closed]
    got = sorted(
        (e.start, round(e.end, 6), {k: r.value for k, r in e.fields.items()}) for e in closed
    )
    assert got == [(1.0, 2.9, SCAV_AK), (3.8, 6.9, PMC_M4), (4.8, 6.9, boss)]


def test_other_text_in_place_without_a_gap_is_a_new_kill_not_a_misread() -> None:
    """The Tarkov profile's split_after of 30 frames must not swallow a 2 s kill that took an
    entry's row in the very frame the old one moved out of sight: two fields differ."""
    rule = dataclasses.replace(KILL_RULE, split_after=30)
    timeline = [kill(1.0, 3.0), kill(3.0, 5.0, fields=PMC_M4)]
    closed = [e for e in run_episodes(timeline, 8.0, [rule]) if e.closed]
    got = sorted(
        (e.start, round(e.end, 6), {k: r.value for k, r in e.fields.items()}) for e in closed
    )
    assert got == [(1.0, 2.9, SCAV_AK), (3.0, 4.9, PMC_M4)]


def test_wanted_seconds_are_the_live_tracks_first_and_best_hits() -> None:
    """What a thumbnail keeper must still hold: nothing once the episode is reported."""
    rising, best = kill(1.0, 2.0, confidence=0.5), kill(1.3, 1.4, confidence=0.95)
    episodes = EpisodeFilter([KILL_RULE])
    wanted_at: dict[float, set[float]] = {}
    for t, obs in frames([rising, best], until=4.0):
        strongest = sorted(obs, key=lambda o: -o.confidence)[:1]  # one box per frame
        episodes.update(t, strongest)
        wanted_at[round(t, 1)] = episodes.wanted_seconds()
    assert wanted_at[0.5] == set()
    assert wanted_at[1.1] == {1.0}  # first hit = best so far
    assert wanted_at[1.6] == {1.0, 1.3}  # first, and the best hit (0.95 at 1.3 s)
    assert wanted_at[3.5] == set()  # gone after the hold: its episode was closed


def test_open_notice_comes_at_confirmation_with_the_first_hit_as_start() -> None:
    episodes = EpisodeFilter([KILL_RULE])
    notices: list[tuple[float | None, bool, float]] = []
    for t, obs in frames([kill(1.0, 3.0)], until=5.0):
        for e in episodes.update(t, obs):
            notices.append((round(t, 6), e.closed, e.start))
    notices += [(None, e.closed, e.start) for e in episodes.flush()]
    # Confirmed at the third hit (1.2 s); closed once absent for more than 1 s (at 3.0 s).
    assert notices == [(1.2, False, 1.0), (4.0, True, 1.0)]


def test_episode_keeps_best_hit_and_hit_count() -> None:
    timeline = [kill(1.0, 2.0, confidence=0.5), kill(2.0, 2.5, confidence=0.95)]
    (closed,) = [e for e in run_episodes(timeline, 6.0, [KILL_RULE]) if e.closed]
    assert closed.confidence == pytest.approx(0.95)
    assert closed.best_seconds == pytest.approx(2.0)
    assert closed.hits == 15
    assert closed.box == row_box(0)


def test_catch_all_rule_and_per_class_rules_coexist() -> None:
    screens = EpisodeRule(hits=2, period_seconds=0.1, hold_seconds=0.5)
    timeline = [Shown("gameplay_hud", 0.0, 3.0), kill(1.0, 2.0)]
    closed = [e for e in run_episodes(timeline, 6.0, [KILL_RULE, screens]) if e.closed]
    assert sorted(e.class_name for e in closed) == ["gameplay_hud", "kill_notification"]
    assert len({e.track_id for e in closed}) == 2


def test_rules_must_not_overlap() -> None:
    with pytest.raises(ValueError, match="two rules"):
        EpisodeFilter([KILL_RULE, KILL_RULE])
    with pytest.raises(ValueError, match="catch-all"):
        EpisodeFilter([EpisodeRule(), EpisodeRule()])


def test_time_must_not_go_backwards() -> None:
    episodes = EpisodeFilter([KILL_RULE])
    episodes.update(1.0, [])
    with pytest.raises(ValueError, match="backwards"):
        episodes.update(0.5, [])


def test_from_config_uses_source_period_or_live_interval() -> None:
    cfg = PipelineConfig.model_validate(
        {
            "source": {"detection_fps": 5},
            "detectors": [{"kind": "yolo_onnx", "model": "m.onnx"}],
            "filters": [{"kind": "episode", "classes": ["a"], "confirm": {"hits": 2}}],
        }
    )
    obs = [Observation("a", SCREEN, 0.9)]
    batch = EpisodeFilter.from_config(cfg)  # period 0.2 s: hits 0.2 s apart confirm
    assert batch.update(0.0, obs) == [] and len(batch.update(0.2, obs)) == 1
    live = EpisodeFilter.from_config(cfg, period_seconds=1 / 30)  # 0.2 s apart is too sparse
    assert live.update(0.0, obs) == [] and live.update(0.2, obs) == []
    default = EpisodeFilter.from_config(cfg.model_copy(update={"filters": []}))
    assert default.update(0.0, obs) == [] and default.update(0.2, obs) == []
    assert len(default.update(0.4, obs)) == 1  # default rule: 3 hits


# (case, frames of boxes (row numbers, with optional fields), expected ids per frame)
TRACK_CASES = [
    ("still box keeps its id", [[0], [0], [0]], [[1], [1], [1]]),
    ("two rows, two ids, order-independent", [[0, 1], [1, 0]], [[1, 2], [2, 1]]),
    ("a far jump without fields is a new track", [[0], [5]], [[1], [2]]),
]


@pytest.mark.parametrize(("case", "rows", "expected"), TRACK_CASES, ids=[c[0] for c in TRACK_CASES])
def test_tracker_by_position(case: str, rows: list[list[int]], expected: list[list[int]]) -> None:
    tracker = IouTracker(iou_threshold=0.3, max_shift=3.0)
    got = [tracker.update([Observation("k", row_box(r), 0.9) for r in frame]) for frame in rows]
    assert got == expected, case


def _obs(row: int, text: str) -> Observation:
    return Observation("k", row_box(row), 0.9, {"text": FieldReading(text, 0.9)})


def test_tracker_follows_text_down_the_feed_and_keeps_twins_apart() -> None:
    tracker = IouTracker(iou_threshold=0.3, max_shift=3.0)
    assert tracker.update([_obs(0, "A")]) == [1]
    assert tracker.update([_obs(0, "B"), _obs(1, "A")]) == [2, 1]  # A pushed down, B new
    assert tracker.update([_obs(0, "B"), _obs(1, "A"), _obs(2, "A")]) == [2, 1, 3]
    assert tracker.update([_obs(3, "A")]) == [3]  # both twins may move there; the nearer wins
    assert tracker.update([_obs(9, "A")]) == [4]  # over 3 box heights from any A: another entry
    tracker.drop(1)
    assert len(tracker) == 3


def test_tracker_never_mixes_classes() -> None:
    tracker = IouTracker()
    ids = tracker.update([Observation("a", SCREEN, 0.9), Observation("b", SCREEN, 0.9)])
    assert ids == [1, 2]
    assert tracker.update([Observation("b", SCREEN, 0.9)]) == [2]


def test_observations_from_detections() -> None:
    det = Detections(
        xyxy=[[0, 0, 10, 10], [5, 5, 20, 20]],  # type: ignore[arg-type]
        confidence=[0.8, 0.6],  # type: ignore[arg-type]
        class_name=("kill_notification", "map_select"),
        attributes=(
            {"weapon": {"value": "M4A1", "confidence": 0.7}, "headshot": True},
            {"map_name": "customs"},
        ),
    )
    first, second = observations_from_detections(det)
    assert first.class_name == "kill_notification" and first.box == (0.0, 0.0, 10.0, 10.0)
    assert first.fields["weapon"] == FieldReading("M4A1", 0.7)
    assert first.fields["headshot"] == FieldReading(True, pytest.approx(0.8))  # type: ignore[arg-type]
    assert second.fields["map_name"].value == "customs"
    assert second.confidence == pytest.approx(0.6)
    assert observations_from_detections(Detections.empty()) == []
