"""The runner's seams, each shown with a second implementation: an image-folder source, a
Parquet sink, a config-hash refusal, and a live run that writes the log a batch run writes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest

from framewise.config.pipeline import load_pipeline
from framewise.core.errors import ConfigError
from framewise.core.events import LogMetadata
from framewise.events.journal import read_journal
from framewise.events.log import read_event_log
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import parse_source
from framewise.pipeline.runner import Pipeline
from framewise.sources.images import ImageFolderSource
from framewise.testing.ffmpeg import colour_segments_clip
from framewise.testing.models import COLOUR_SEGMENTS, COLOUR_STATE_MACHINE, colour_model
from tests.integration.cli.cli_run import framewise
from tests.integration.pipeline.test_process import PIPELINE

START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
BGR = {"red": (0, 0, 255), "lime": (0, 255, 0), "black": (0, 0, 0)}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    root = tmp_path_factory.mktemp("seams")
    colour_model(root / "colour.onnx")
    (root / "pipeline.yaml").write_text(PIPELINE)
    colour_segments_clip(ffmpeg, root / "colours.mkv", COLOUR_SEGMENTS)
    return root


def _shots(folder: Path) -> Path:
    """Ten pictures a second: red 0-2 s, black 2-3 s, lime 3-5 s, black 5-6 s."""
    folder.mkdir()
    colours = ["red"] * 20 + ["black"] * 10 + ["lime"] * 20 + ["black"] * 10
    for i, colour in enumerate(colours):
        picture = np.zeros((240, 320, 3), np.uint8)
        picture[:] = BGR[colour]
        cv2.imwrite(str(folder / f"shot_{i}.png"), picture)
    return folder


def test_an_image_folder_runs_through_the_same_pipeline(workspace: Path, tmp_path: Path) -> None:
    source = ImageFolderSource(_shots(tmp_path / "shots"), fps=10, session_start=START)
    metadata = LogMetadata(
        video_path=str(tmp_path / "shots"),
        session_start_time=START,
        video_duration_seconds=6.0,
        total_frames=60,
        detection_fps=10,
        processed_at=datetime.now(UTC),
    )
    pipeline = Pipeline(load_pipeline(workspace / "pipeline.yaml"))
    try:
        run = pipeline.process(source, tmp_path / "run", metadata)
    finally:
        pipeline.close()
    log = read_event_log(run.log_path)
    assert log.metadata.complete
    found = [(e.data["class_name"], e.video_offset_seconds) for e in log.events]
    assert [name for name, _ in found] == ["red", "green"]
    assert [at for _, at in found] == pytest.approx([0.0, 3.0], abs=1e-6)
    # image i is frame i: the events point at the pictures that start them
    assert [e.frame_number for e in log.events] == [0, 30]
    assert all((tmp_path / "run" / str(e.thumbnail)).is_file() for e in log.events)


def test_a_parquet_sink_holds_every_journaled_detection(workspace: Path, tmp_path: Path) -> None:
    yaml_text = (workspace / "pipeline.yaml").read_text() + "  - kind: parquet\n"
    (workspace / "parquet.yaml").write_text(yaml_text)
    pipeline = Pipeline(load_pipeline(workspace / "parquet.yaml"))
    try:
        run = pipeline.process_video(workspace / "colours.mkv", tmp_path / "run")
    finally:
        pipeline.close()
    table = pq.read_table(tmp_path / "run" / "detections.parquet").to_pydict()
    journal = read_journal(tmp_path / "run" / "journal.jsonl")
    expected = [(e.index, e.seconds, name) for e in journal for name in e.detections.class_name]
    got = list(zip(table["frame_index"], table["seconds"], table["class_name"], strict=True))
    assert got == expected
    assert len(got) > run.events  # many frames of each episode
    assert set(table["class_name"]) == {"red", "green"}
    assert not list((tmp_path / "run").glob(".*partial"))


def test_a_run_folder_refuses_another_config(workspace: Path, tmp_path: Path) -> None:
    config = load_pipeline(workspace / "pipeline.yaml")
    first = Pipeline(config)
    try:
        first.process_video(workspace / "colours.mkv", tmp_path / "run")
        assert first.process_video(workspace / "colours.mkv", tmp_path / "run").skipped
    finally:
        first.close()
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["summary"]["events"] == 3
    assert "detection_fps: 10.0" in (tmp_path / "run" / "config.yaml").read_text()

    slower = config.source.model_copy(update={"detection_fps": 5.0})
    other = Pipeline(config.model_copy(update={"source": slower}))
    try:
        with pytest.raises(ConfigError, match=r"source\.detection_fps \(10\.0 → 5\.0\)"):
            other.process_video(workspace / "colours.mkv", tmp_path / "run")
        lower = Pipeline(config, confidence=0.9)
        with pytest.raises(ConfigError, match="confidence"):
            lower.process_video(workspace / "colours.mkv", tmp_path / "run")
        lower.close()
        again = other.process_video(workspace / "colours.mkv", tmp_path / "run", force=True)
    finally:
        other.close()
    assert not again.skipped
    assert read_event_log(tmp_path / "run" / "events.json").metadata.detection_fps == 5


def test_the_cli_says_what_changed_and_overwrite_starts_over(
    workspace: Path, tmp_path: Path
) -> None:
    args: list[str | Path] = [
        "process",
        "--video",
        workspace / "colours.mkv",
        "--config",
        workspace / "pipeline.yaml",
    ]
    assert framewise(*args, "--output", tmp_path).returncode == 0
    refused = framewise(*args, "--output", tmp_path, "--detection-fps", "5")
    assert refused.returncode == 2
    assert "detection_fps (10.0 → 5.0)" in refused.stderr
    assert "--overwrite" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    done = framewise(*args, "--output", tmp_path, "--detection-fps", "5", "--overwrite")
    assert done.returncode == 0, done.stderr
    assert read_event_log(tmp_path / "colours" / "events.json").metadata.detection_fps == 5


def test_a_live_run_writes_the_log_and_thumbnails_a_batch_run_writes(
    workspace: Path, tmp_path: Path
) -> None:
    (workspace / "colours_machine.yaml").write_text(COLOUR_STATE_MACHINE)
    yaml_text = (workspace / "pipeline.yaml").read_text()
    yaml_text = yaml_text.replace("sinks:", "state_machine: colours_machine.yaml\nsinks:")
    (workspace / "machine.yaml").write_text(yaml_text)
    config = load_pipeline(workspace / "machine.yaml")
    batch = Pipeline(config)
    try:
        batch_run = batch.process_video(workspace / "colours.mkv", tmp_path / "batch")
    finally:
        batch.close()
    spec = replace(
        parse_source(str(workspace / "colours.mkv"), replay=True, speed=4.0), keep_newest=False
    )
    options = ServiceOptions(port=0, out_dir=tmp_path / "live")
    with LiveService(config, spec, options) as service:
        service.start_pipeline()
        assert service.runner.join(60)
    live = read_event_log(tmp_path / "live" / "events.json")
    ours = read_event_log(batch_run.log_path)
    assert live.metadata.complete
    assert [(e.event_id, e.type, e.data) for e in live.events] == [
        (e.event_id, e.type, e.data) for e in ours.events
    ]
    assert all((tmp_path / "live" / str(e.thumbnail)).is_file() for e in live.events)
    assert len(read_journal(tmp_path / "live" / "journal.jsonl")) == batch_run.frames
