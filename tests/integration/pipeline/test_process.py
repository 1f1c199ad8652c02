"""``framewise process`` end to end: a real clip, a real ONNX model, the JSON log on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import pytest

from framewise.config.pipeline import load_pipeline
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.testing.ffmpeg import colour_segments_clip
from framewise.testing.models import COLOUR_SEGMENTS, colour_model
from tests.integration.cli.cli_run import framewise

SEGMENTS = COLOUR_SEGMENTS
EXPECTED = [("red", 0.0, 2.0), ("green", 3.0, 2.0), ("red", 6.0, 1.5)]

PIPELINE = """\
name: colours
source:
  detection_fps: 10
  batch_size: 4
detectors:
  - kind: yolo_onnx
    model: colour.onnx
    confidence: 0.5
filters:
  - kind: episode
    classes: []
    confirm:
      hits: 3
    hold_seconds: 0.5
sinks:
  - kind: json_log
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    root = tmp_path_factory.mktemp("colours")
    colour_model(root / "colour.onnx")
    (root / "pipeline.yaml").write_text(PIPELINE)
    colour_segments_clip(ffmpeg, root / "colours.mkv", SEGMENTS)
    return root


def without_run_times(path: Path) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(path.read_text())
    payload["metadata"].pop("processed_at")
    return payload


def test_process_writes_the_events_with_true_times(workspace: Path, tmp_path: Path) -> None:
    done = framewise(
        "process",
        "--video",
        workspace / "colours.mkv",
        "--config",
        workspace / "pipeline.yaml",
        "--output",
        tmp_path,
        "--session-type",
        "practice",
    )
    assert done.returncode == 0, done.stderr
    log = read_event_log(tmp_path / "colours" / "events.json")
    assert {e.type for e in log.events} == {"episode"}  # no state machine: generic episodes
    found = [
        (e.data["class_name"], e.video_offset_seconds, e.data["duration_seconds"])
        for e in log.events
    ]
    assert len(found) == len(EXPECTED)
    for (kind, start, length), (got_kind, got_start, got_length) in zip(
        EXPECTED, found, strict=True
    ):
        assert got_kind == kind
        assert got_start == pytest.approx(start, abs=0.1)  # within one sample period
        assert got_length == pytest.approx(length - 0.1, abs=0.15)
    first = log.events[0]
    assert first.timestamp.isoformat().startswith("2026-01-15T18:00:00")
    assert log.metadata.session_type == "practice"
    assert log.metadata.complete
    assert log.metadata.model_version == "colour"
    assert log.schema_version == 1
    for event, (kind, _, _) in zip(log.events, EXPECTED, strict=True):
        assert event.thumbnail is not None
        picture = cv2.imread(str(tmp_path / "colours" / event.thumbnail))
        assert picture is not None
        _, green, red = (float(v) for v in picture.reshape(-1, 3).mean(axis=0))
        # The thumbnail shows the event's own segment (its best frame), not a neighbour.
        assert (red > 2 * green) if kind == "red" else (green > 2 * red), (kind, red, green)
    assert "3 events" in done.stdout


def test_same_video_twice_gives_identical_logs(workspace: Path, tmp_path: Path) -> None:
    config = load_pipeline(workspace / "pipeline.yaml")
    pipeline = Pipeline(config)
    try:
        first = pipeline.process_video(workspace / "colours.mkv", tmp_path / "a")
        second = pipeline.process_video(workspace / "colours.mkv", tmp_path / "b")
    finally:
        pipeline.close()
    assert first.events == second.events == 3
    assert without_run_times(first.log_path) == without_run_times(second.log_path)


class StopRunError(Exception):
    """Stands in for a kill in the middle of a run."""


def test_an_interrupted_run_resumes_without_duplicates(workspace: Path, tmp_path: Path) -> None:
    config = load_pipeline(workspace / "pipeline.yaml")
    pipeline = Pipeline(config, checkpoint_seconds=0.0)
    whole = pipeline.process_video(workspace / "colours.mkv", tmp_path / "whole")

    def stop_at_5s(seconds: float) -> None:
        if seconds >= 5.0:
            raise StopRunError

    with pytest.raises(StopRunError):
        pipeline.process_video(workspace / "colours.mkv", tmp_path / "cut", on_progress=stop_at_5s)
    partial = read_event_log(tmp_path / "cut" / "events.json")
    assert not partial.metadata.complete
    resumed = pipeline.process_video(workspace / "colours.mkv", tmp_path / "cut")
    pipeline.close()
    assert resumed.resumed_at is not None
    assert 4.9 < resumed.resumed_at < 6.0
    assert resumed.frames == whole.frames
    a, b = without_run_times(whole.log_path), without_run_times(resumed.log_path)
    assert a["events"] == b["events"]
    thumbnails = sorted(p.name for p in (tmp_path / "whole" / "thumbnails").glob("*.jpg"))
    assert len(thumbnails) == whole.events
    for name in thumbnails:  # the same frames, kept again after the resume
        cut = (tmp_path / "cut" / "thumbnails" / name).read_bytes()
        assert cut == (tmp_path / "whole" / "thumbnails" / name).read_bytes(), name
    again = Pipeline(config).process_video(workspace / "colours.mkv", tmp_path / "cut")
    assert again.skipped  # complete logs are kept unless --force


def test_video_dir_writes_a_log_per_video_and_a_summary(workspace: Path, tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    for name in ("one.mkv", "two.mkv"):
        (folder / name).write_bytes((workspace / "colours.mkv").read_bytes())
    out = tmp_path / "out"
    done = framewise(
        "process",
        "--video-dir",
        folder,
        "--config",
        workspace / "pipeline.yaml",
        "--output",
        out,
        "--detection-fps",
        "5",
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["events"] == 6
    assert summary["by_type"] == {"episode": 6}
    assert read_event_log(out / "one" / "events.json").metadata.detection_fps == 5


def test_bad_yaml_and_a_model_that_is_not_onnx(workspace: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PIPELINE.replace("confidence: 0.5", "confidnce: 0.5"))
    done = framewise("process", "--video", workspace / "colours.mkv", "--config", bad)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "bad.yaml:8: detectors[0].confidnce" in done.stderr
    fake = tmp_path / "fake.onnx"
    fake.write_text("not a model")
    config = tmp_path / "fake.yaml"
    config.write_text(PIPELINE.replace("colour.onnx", str(fake)))
    done = framewise("process", "--video", workspace / "colours.mkv", "--config", config)
    assert done.returncode == 5
    assert str(fake) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
