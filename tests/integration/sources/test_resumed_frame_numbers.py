"""Events' frame numbers are frame indices, the same in a resumed run (issue 14, 4).

The profile's decoder skip (``skip_frame: NONREF``) drops B-frames, so a count of decoded
frames is no frame number; a resumed run seeks, so a number that depends on where the read
started would differ from an uninterrupted run's.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from framewise.config.pipeline import load_pipeline
from framewise.pipeline.runner import Pipeline
from framewise.sources.file import DecodeOptions, FileSource
from framewise.testing.models import COLOUR_SEGMENTS, colour_model

FPS = 25

PIPELINE = """\
name: colours
source:
  detection_fps: 10
  batch_size: 4
  decode: {skip_frame: NONREF}
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


def bframe_colours(ffmpeg: str, path: Path) -> Path:
    """The colour segments as H.264 with B-frames (x264 veryfast, ``-bf 3``)."""
    inputs: list[str] = []
    for colour, seconds in COLOUR_SEGMENTS:
        spec = f"color=c={colour}:s=320x240:r={FPS}:d={seconds}"
        inputs += ["-f", "lavfi", "-i", spec]
    chain = "".join(f"[{i}:v]" for i in range(len(COLOUR_SEGMENTS)))
    graph = f"{chain}concat=n={len(COLOUR_SEGMENTS)}:v=1[v]"
    subprocess.run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            *inputs,
            "-filter_complex",
            graph,
            "-map",
            "[v]",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-bf",
            "3",
            "-g",
            str(FPS),
            "-pix_fmt",
            "yuv420p",
            "-metadata",
            "creation_time=2026-01-15T18:00:00Z",
            str(path),
        ],
        check=True,
    )
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    root = tmp_path_factory.mktemp("nonref")
    colour_model(root / "colour.onnx")
    (root / "pipeline.yaml").write_text(PIPELINE)
    bframe_colours(ffmpeg, root / "colours.mkv")
    return root


class StopRunError(Exception):
    """Stands in for a kill in the middle of a run."""


def frame_numbers(log: Path) -> list[tuple[float, int]]:
    events: list[dict[str, Any]] = json.loads(log.read_text())["events"]
    return [(e["video_offset_seconds"], e["frame_number"]) for e in events]


def test_a_resumed_run_writes_the_frame_numbers_of_an_uninterrupted_one(
    workspace: Path, tmp_path: Path
) -> None:
    video = workspace / "colours.mkv"
    everything = len(list(FileSource(video).read()))
    skipping = FileSource(video, decode=DecodeOptions(skip_nonref=True))
    assert len(list(skipping.read())) < everything  # NONREF really drops frames here
    config = load_pipeline(workspace / "pipeline.yaml")
    pipeline = Pipeline(config, checkpoint_seconds=0.0)
    whole = pipeline.process_video(video, tmp_path / "whole")

    def stop_at_5s(seconds: float) -> None:
        if seconds >= 5.0:
            raise StopRunError

    with pytest.raises(StopRunError):
        pipeline.process_video(video, tmp_path / "cut", on_progress=stop_at_5s)
    resumed = pipeline.process_video(video, tmp_path / "cut")
    pipeline.close()
    assert resumed.resumed_at is not None
    expected = frame_numbers(whole.log_path)
    assert len(expected) == 3
    # The frame's index in the video: seconds × fps for this constant-rate file.
    assert [number for _, number in expected] == [round(t * FPS) for t, _ in expected]
    assert frame_numbers(resumed.log_path) == expected
