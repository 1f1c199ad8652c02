"""open_source for each kind that runs here, and the VideoSource ABC on real recordings."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from itertools import islice, pairwise
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from framewise.config import PipelineConfig, SourceConfig, load_pipeline
from framewise.core.errors import ConfigError
from framewise.core.time import SessionStart
from framewise.sources.directory import DirectorySource
from framewise.sources.file import FileSource
from framewise.sources.images import ImageFolderSource
from framewise.sources.live import LiveSource
from framewise.sources.registry import open_source
from framewise.sources.replay import ReplaySource

COUNTER = "pyscenedetect/counter.mp4"  # 3.0 s, 30 frames at 10 fps
ASL = "intel-sample-videos/asl_gestures_walk.mkv"  # 2.966 s at 30 fps
SPLIT = "pyscenedetect/issue-236-split-copy.mkv"  # 2.017 s at 24000/1001
START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
VIDEOS = [
    COUNTER,
    SPLIT,
    "pyscenedetect/goldeneye-vfr-drop3.mp4",
    "pyscenedetect/delayed_start.mp4",
    "ekhanchin-tetris/gameplay.mp4",
    "josefvesely-pong/gameplay.mp4",
    "opencvtutorial-vtest/vtest.avi",
]


@pytest.mark.parametrize("relative", VIDEOS)
def test_file_source_reports_what_ffprobe_says(
    real_data: Path, manifest: dict[str, dict[str, Any]], relative: str
) -> None:
    truth = manifest[relative]["ffprobe"]
    source = open_source(SourceConfig(), real_data / relative)
    assert isinstance(source, FileSource)
    assert source.frame_rate == Fraction(truth["avg_frame_rate"])  # exact, e.g. 30000/1001
    assert source.nominal_fps == pytest.approx(float(Fraction(truth["avg_frame_rate"])))
    assert source.duration == pytest.approx(truth["duration_s"], abs=1e-3)
    assert source.seekable
    assert source.source_id == str(real_data / relative)


def test_file_seek_starts_at_the_frame_on_screen(real_data: Path) -> None:
    config = SourceConfig(read="all", batch_size=4, queue_size=2)
    source = open_source(config, real_data / SPLIT, session_start=SessionStart(START, "user"))
    assert isinstance(source, FileSource) and source.sample_fps is None
    assert source.prefetch == 8  # queue_size batches of batch_size, as the batch runner held
    period = 1001 / 24000
    frames = list(source.seek(1.0).read())
    assert frames[0].seconds <= 1.0 < frames[0].seconds + period + 1e-6
    assert frames[0].wall_time == START + timedelta(seconds=frames[0].seconds)
    assert all(b.seconds - a.seconds < 2 * period for a, b in pairwise(frames))
    assert 2.017 - 3 * period < frames[-1].seconds < 2.017


def test_file_sampling_and_start_time_follow_the_config(real_data: Path) -> None:
    source = open_source(SourceConfig(detection_fps=2), real_data / COUNTER, start_time=START)
    assert source.session_start == SessionStart(START, "user")
    # The last frame (2.9 s) is the one nearest the 3.0 s tick.
    assert [f.seconds for f in source.read()] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 2.9]


def test_a_yaml_path_is_used_when_the_command_line_gives_none(
    real_data: Path, tmp_path: Path
) -> None:
    shutil.copy(real_data / COUNTER, tmp_path / "clip.mp4")
    yaml = tmp_path / "pipeline.yaml"
    detectors = "detectors: [{kind: yolo_onnx, model: m.onnx}]\n"
    yaml.write_text("source: {kind: file, path: clip.mp4, detection_fps: 1}\n" + detectors)
    config: PipelineConfig = load_pipeline(yaml)
    with open_source(config.source) as source:
        assert source.source_id == str(tmp_path / "clip.mp4")
        assert [f.seconds for f in source.read()] == [0.0, 1.0, 2.0, 2.9]
    # The command line's path wins over the YAML's.
    assert open_source(config.source, real_data / ASL).source_id == str(real_data / ASL)


def test_folder_reads_each_file_in_session_start_order(real_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    shutil.copy(real_data / COUNTER, folder / "a.mp4")
    shutil.copy(real_data / ASL, folder / "b.mkv")
    config = SourceConfig(detection_fps=1).with_kind("folder")
    source = open_source(config, folder)
    assert isinstance(source, DirectorySource)
    assert source.duration == pytest.approx(3.0 + 2.966, abs=1e-3)
    assert source.session_start == source.videos[0].session_start
    assert not source.seekable and source.frame_rate is None
    order = [path for path, _ in source.session_starts]
    assert sorted(Path(path).name for path in order) == ["a.mp4", "b.mkv"]
    # One file after another, each exactly as a file source with the same settings reads it.
    expected = [
        (f.source_id, f.seconds, f.wall_time)
        for path in order
        for f in FileSource(path, sample_fps=1, prefetch=0).read()
    ]
    assert [(f.source_id, f.seconds, f.wall_time) for f in source.read()] == expected
    assert len({source_id for source_id, _, _ in expected}) == 2
    assert source.stats.kept == len(expected)
    with pytest.raises(ConfigError, match="not seekable"):
        source.seek(1.0)


def test_images_from_a_yaml_config(tmp_path: Path) -> None:
    frames_dir = tmp_path / "frames"
    frames_dir.mkdir()
    for index in range(10):
        cv2.imwrite(str(frames_dir / f"{index}.jpg"), np.full((16, 16, 3), 20 * index, np.uint8))
    (frames_dir / "5.jpg").write_bytes(b"\xff\xd8 truncated")
    yaml = tmp_path / "pipeline.yaml"
    detectors = "detectors: [{kind: yolo_onnx, model: m.onnx}]\n"
    yaml.write_text("source: {kind: images, path: frames, fps: 5, read: all}\n" + detectors)
    source = open_source(load_pipeline(yaml).source, start_time=START)
    assert isinstance(source, ImageFolderSource)
    assert (source.source_id, source.duration, source.frame_rate) == ("frames", 2.0, Fraction(5))
    frames = list(source.read())
    assert [f.index for f in frames] == [0, 1, 2, 3, 4, 6, 7, 8, 9]
    assert [f.seconds for f in frames] == [i / 5 for i in (0, 1, 2, 3, 4, 6, 7, 8, 9)]
    assert source.stats.corrupt_frames == 1 and source.stats.kept == 9
    assert frames[-1].wall_time == START + timedelta(seconds=1.8)


def test_replay_is_seekable_and_keeps_file_times(real_data: Path) -> None:
    config = SourceConfig(read="all").with_kind("replay", speed=20.0, keep_newest=False)
    source = open_source(config, real_data / COUNTER, start_time=START)
    assert isinstance(source, ReplaySource)
    assert (source.duration, source.frame_rate, source.seekable) == (3.0, Fraction(10), True)
    with source:
        frames = list(source.seek(2.0).read())
    assert [round(f.seconds, 6) for f in frames] == [round(2.0 + i / 10, 6) for i in range(10)]
    assert all(f.wall_time == START + timedelta(seconds=f.seconds) for f in frames)


def test_a_stream_has_no_duration_and_cannot_seek(real_data: Path) -> None:
    # A file named as a stream is read like one (as fast as it decodes): no network needed.
    config = SourceConfig(read="all").with_kind("stream", reconnect=False, size=(64, 36))
    source = open_source(config, real_data / COUNTER)
    assert isinstance(source, LiveSource)
    assert source.duration is None and source.frame_rate is None
    assert source.seekable is False
    with pytest.raises(ConfigError, match="not seekable"):
        source.seek(1.0)
    with source:  # closing the source ends the read and joins its reader thread
        first = list(islice(source.read(), 3))
    assert all(f.source_id == str(real_data / COUNTER) for f in first)
    assert all(f.image.shape == (36, 64, 3) for f in first)
    assert source.session_start.origin == "arrival"
