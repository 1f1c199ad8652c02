"""The rules of the scenes and motion profiles on made-up scores: cuts by the adaptive rule,
fades, the minimum scene length; motion events' minimum length and pre/post roll; the frame
rules that make them records, and cut scoring against ground truth in each corpus format."""

from __future__ import annotations

from framewise.config.detectors import MotionConfig, SceneDetectConfig
from framewise.core.results import FrameOutput
from framewise.detectors.motion import MotionRules
from framewise.detectors.scenes import SceneCutter
from framewise.profiles.scenes.accuracy import match_cuts, truth_cuts
from framewise.temporal.motion import MotionSpans
from framewise.temporal.scenes import SceneCuts
from framewise.temporal.state_machine import EventRecord

FPS = 10.0


def _scenes(
    scores: list[float], lumas: list[float] | None = None, **options: float
) -> list[EventRecord]:
    """Run the cutter and the frame rule over frames at 10 fps; the records."""
    cutter = SceneCutter(SceneDetectConfig(kind="scene_detect", **options))  # type: ignore[arg-type]
    rule = SceneCuts()
    records: list[EventRecord] = []
    for i, score in enumerate(scores):
        luma = 100.0 if lumas is None else lumas[i]
        features = cutter.update(i / FPS, score, luma)
        records += rule.update(i / FPS, FrameOutput.empty().with_features(features))
    return records + rule.flush()


def test_a_lone_jump_is_a_cut_on_its_own_frame_and_a_pan_is_not() -> None:
    scores = [2.0] * 30
    scores[12] = 40.0  # a cut
    scores[20:24] = [30.0, 32.0, 31.0, 30.0]  # a fast pan: its neighbours move as much
    records = _scenes(scores)
    assert [(r.type, r.seconds, r.data["scene"], r.data["kind"]) for r in records] == [
        ("scene_cut", 1.2, 2, "cut")
    ]
    assert records[0].data["previous_seconds"] == 1.2


def test_a_flash_is_one_cut_and_short_scenes_merge() -> None:
    scores = [2.0] * 40
    scores[10], scores[11] = 50.0, 2.0
    scores[13] = 50.0  # 0.3 s later: under min_scene_seconds 0.5
    scores[30] = 50.0
    assert [r.seconds for r in _scenes(scores)] == [1.0, 3.0]
    assert [r.seconds for r in _scenes(scores, min_scene_seconds=0.0)] == [1.0, 1.3, 3.0]


def test_a_fade_out_and_in_is_one_cut_in_the_middle_and_a_dark_opening_is_none() -> None:
    lumas = [0.0] * 5 + [100.0] * 20 + [5.0] * 10 + [100.0] * 20
    records = _scenes([1.0] * len(lumas), lumas)
    assert [(r.seconds, r.data["kind"]) for r in records] == [(3.0, "fade")]
    # The thumbnail is the picture coming back, not the black middle.
    assert records[0].best_seconds == 3.5 and records[0].confidence == 1.0
    assert _scenes([1.0] * len(lumas), lumas, fade_threshold=0.0) == []


def test_the_rule_holds_back_and_keeps_the_frames_a_cut_may_name() -> None:
    cutter = SceneCutter(SceneDetectConfig(kind="scene_detect"))
    rule = SceneCuts()
    for i, score in enumerate([1.0, 1.0, 1.0, 1.0, 40.0]):
        rule.update(i / FPS, FrameOutput.empty().with_features(cutter.update(i / FPS, score, 90)))
    assert rule.pending_since() == 0.4 and rule.wanted_seconds() == {0.4}


def _motion(scores: list[float], **options: float) -> list[EventRecord]:
    rules = MotionRules(MotionConfig(kind="motion", **options))  # type: ignore[arg-type]
    spans = MotionSpans()
    records: list[EventRecord] = []
    for i, score in enumerate(scores):
        features = rules.update(i / FPS, score)
        records += spans.update(i / FPS, FrameOutput.empty().with_features(features))
    return records + spans.flush()


def test_motion_events_have_a_minimum_length_and_pre_and_post_roll() -> None:
    scores = [0.0] * 100
    scores[20] = 0.5  # one frame: shorter than min_event_seconds
    scores[40:50] = [0.1] * 10
    scores[45] = 0.3
    records = _motion(scores, min_event_seconds=0.2, pre_seconds=1.0, post_seconds=2.0)
    assert len(records) == 1
    data = records[0].data
    assert (data["start"], data["end"], data["moving_frames"]) == (3.0, 6.9, 10)
    assert data["peak_share"] == 0.3 and records[0].best_seconds == 4.5


def test_motion_while_learning_is_ignored_and_an_open_event_ends_with_the_input() -> None:
    scores = [0.5] * 3 + [0.0] * 10 + [0.5] * 10
    records = _motion(scores, learning_seconds=0.5, pre_seconds=0.0, min_event_seconds=0.0)
    assert [(r.data["start"], r.data["end"]) for r in records] == [(1.3, 2.2)]


def test_cut_scores_and_every_ground_truth_format() -> None:
    score = match_cuts([1.0, 2.04, 5.0], [1.0, 2.0, 9.0])
    assert (score.hits, score.false_cuts, score.missed) == (2, 1, 1)
    assert round(score.time_error, 3) == 0.02 and round(score.f1, 3) == 0.667
    assert match_cuts([], []).f1 == 1.0
    assert truth_cuts({"cuts_seconds": [3.754]}) == [3.754]
    assert truth_cuts({"state_segments": {"changes": [{"frame": 10, "pts_s": 1.0}]}}) == [1.0]
    assert truth_cuts({"expected_times_default_threshold": [{"pts_s": 3.36}]}) == [3.36]
    assert truth_cuts({"observed_hard_cuts": [{"pts_s": 0.792}]}) == [0.792]
    assert truth_cuts({"stream_start_time_s": 1.075}) == []


def test_motion_from_the_first_frame_starts_at_it_not_before() -> None:
    # The open offset is float32 (0.3 → 0.30000001): the start must not fall before the video.
    records = _motion([0.5] * 20, learning_seconds=0.0, min_event_seconds=0.3, pre_seconds=5.0)
    assert records[0].seconds == 0.0 and records[0].data["start"] == 0.0


def test_a_dark_shot_that_ends_in_a_jump_is_a_hard_cut_not_a_fade() -> None:
    lumas = [100.0] * 20 + [5.0] * 10 + [100.0] * 20
    scores = [1.0] * 50
    scores[20], scores[30] = 40.0, 40.0  # cut into the dark shot, cut out of it
    records = _scenes(scores, lumas)
    assert [(r.seconds, r.data["kind"]) for r in records] == [(2.0, "cut"), (3.0, "cut")]
