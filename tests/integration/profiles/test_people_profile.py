"""The people profile on the corpus's MOT15 files: tracks score at least what bench/people.py
measured (TrackEval's MOTA, IDF1, HOTA), HOG beats MediaPipe Pose (the default's claim),
`framewise process --profile people` writes entered/left events that count people, and a YOLO
ONNX person model drops in by configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.cli.options import load_pipeline_option
from framewise.config.detectors import StageConfig, YoloOnnxConfig
from framewise.eval.mot import MOT_CORPUS, MotScores, read_mot, score_tracks, track_video
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.temporal.people import ENTERED, LEFT
from tests.integration.cli.cli_run import framewise

pytest.importorskip("trackers")
pytest.importorskip("trackeval")

MARGIN = 0.02
MEASURED = {
    # file: (every N-th frame, frames before, (MOTA, IDF1, HOTA)) on the default profile.
    "TUD-Campus": (1, None, (0.217, 0.389, 0.262)),
    "vtest": (4, 400, (0.430, 0.286, 0.243)),
}
"""Scores when this test was written (HOG at search_height 720, ByteTrack, activation 0.7).
Every frame of vtest, bench/people.py --every 2: MOTA 0.617, IDF1 0.415, HOTA 0.340."""


def stages(method: str = "hog") -> list[StageConfig]:
    detect, track = load_pipeline_option("people", None, None, None).detectors
    return [detect.model_copy(update={"method": method}), track]


def scores(real_data: Path, name: str, method: str = "hog") -> MotScores:
    every, limit, _ = MEASURED[name]
    video, truth = MOT_CORPUS[name]
    run = track_video(stages(method), real_data / video, every=every, limit=limit)
    return score_tracks(read_mot(real_data / truth), run.tracks, run.frames)


def assert_as_measured(found: MotScores, name: str) -> None:
    mota, idf1, hota = MEASURED[name][2]
    assert found.mota >= mota - MARGIN, found
    assert found.idf1 >= idf1 - MARGIN, found
    assert found.hota >= hota - MARGIN, found


def test_tud_campus_scores_as_measured_and_hog_beats_pose(real_data: Path) -> None:
    hog = scores(real_data, "TUD-Campus")
    assert_as_measured(hog, "TUD-Campus")
    assert hog.frames == 71 and hog.true_boxes == 359
    # MediaPipe Pose finds one person a frame at most: precise, but it misses the crowd.
    pose = scores(real_data, "TUD-Campus", "pose")
    assert pose.mota < hog.mota and pose.idf1 < hog.idf1, (pose, hog)


@pytest.mark.slow
def test_vtest_scores_as_measured(real_data: Path) -> None:
    assert_as_measured(scores(real_data, "vtest"), "vtest")


def test_process_people_profile_counts_people_in_and_out(real_data: Path, tmp_path: Path) -> None:
    listed = framewise("profiles")
    assert listed.returncode == 0, listed.stderr
    assert [line for line in listed.stdout.splitlines() if line.startswith("people ")], listed
    video = real_data / MOT_CORPUS["TUD-Campus"][0]
    done = framewise("process", "--video", video, "--profile", "people", "--output", tmp_path)
    assert done.returncode == 0, done.stderr
    log = read_event_log(tmp_path / "TUD-Campus" / "events.json")
    assert log.metadata.complete and log.metadata.pipeline == "people"
    events = log.events
    times = [e.video_offset_seconds for e in events]
    assert times == sorted(times)
    entered = {e.data["track_id"]: e for e in events if e.type == ENTERED}
    left = {e.data["track_id"]: e for e in events if e.type == LEFT}
    # The truth has 6 people at most in a frame; everyone who entered leaves by the end.
    assert 2 <= len(entered) <= 8 and set(entered) == set(left), events
    counts = [int(e.data["people_count"]) for e in events]  # type: ignore[arg-type]
    steps = [1 if e.type == ENTERED else -1 for e in events]
    assert counts == [sum(steps[: i + 1]) for i in range(len(steps))] and counts[-1] == 0
    for track, out in left.items():
        came = entered[track].video_offset_seconds
        assert out.data["entered"] == pytest.approx(came)
        assert float(out.data["duration_seconds"]) >= 1.0  # type: ignore[arg-type]
        assert entered[track].thumbnail and out.thumbnail


def test_a_yolo_person_model_drops_in_by_config(real_data: Path, tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    from framewise.testing.models import colour_model

    # The test colour model, its class 0 renamed "person": it scores a frame's mean red level
    # at one fixed box, so the one "person" stays put from the first frame to the last.
    path = colour_model(tmp_path / "person.onnx")
    model = onnx.load(str(path))
    for entry in model.metadata_props:
        if entry.key == "names":
            entry.value = str({0: "person", 1: "green"})
    onnx.save(model, str(path))
    config = load_pipeline_option("people", None, None, None)
    detect = YoloOnnxConfig(kind="yolo_onnx", model=path, classes=["person"], confidence=0.1)
    track = config.detectors[1].model_copy(update={"activation": 0.1})
    pipeline = Pipeline(config.model_copy(update={"detectors": [detect, track]}))
    try:
        pipeline.process_video(real_data / MOT_CORPUS["TUD-Campus"][0], tmp_path / "run")
    finally:
        pipeline.close()
    events = read_event_log(tmp_path / "run" / "events.json").events
    assert [(e.type, e.data["people_count"]) for e in events] == [(ENTERED, 1), (LEFT, 0)]
    assert events[0].data["track_id"] == events[1].data["track_id"]
    # ByteTrack confirms a track on its second frame (0.12 s at 10 a second on this 25 fps
    # file); it is seen until the last frame sampled (the clip is 2.84 s).
    assert events[0].video_offset_seconds < 0.2 and events[1].video_offset_seconds > 2.6
