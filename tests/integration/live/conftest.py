"""A clip of coloured segments, the colour ONNX model and a pipeline with a state machine.

The colour model "detects" red and green; the state machine turns red into a raid (with a
kill when the red screen closes) and green into a death, so a 9 s clip yields the events of
two raids with known times: raid_start at 0 s and 6 s, a death at 3 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from framewise.config.pipeline import PipelineConfig, load_pipeline
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import parse_source
from framewise.testing.ffmpeg import colour_segments_clip
from framewise.testing.models import COLOUR_SEGMENTS, COLOUR_STATE_MACHINE, colour_model

SEGMENTS = COLOUR_SEGMENTS
MACHINE = COLOUR_STATE_MACHINE

PIPELINE = """\
name: colours-live
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
state_machine: colours_machine.yaml
sinks:
  - kind: json_log
    thumbnails: false
"""


EXPECTED = [
    ("state_transition", 0.0),
    ("raid_start", 0.0),
    ("kill", 0.0),
    ("state_transition", 3.0),
    ("raid_end", 3.0),
    ("state_transition", 6.0),
    ("raid_start", 6.0),
    ("kill", 6.0),
]
"""(record type, video seconds) the clip gives, in order."""


def make_colour_clip(ffmpeg: str, path: Path, *, size: str = "320x240", fps: int = 25) -> Path:
    """Encode :data:`SEGMENTS` as H.264 in MKV with a known creation time."""
    return colour_segments_clip(ffmpeg, path, SEGMENTS, size=size, fps=fps)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    """Folder with ``colour.onnx``, ``pipeline.yaml``, its state machine and ``colours.mkv``."""
    root = tmp_path_factory.mktemp("live")
    colour_model(root / "colour.onnx")
    (root / "pipeline.yaml").write_text(PIPELINE)
    (root / "colours_machine.yaml").write_text(MACHINE)
    make_colour_clip(ffmpeg, root / "colours.mkv")
    return root


@pytest.fixture
def pipeline(workspace: Path) -> PipelineConfig:
    """The colour pipeline."""
    return load_pipeline(workspace / "pipeline.yaml")


@pytest.fixture
def replay_service(workspace: Path, pipeline: PipelineConfig) -> Iterator[LiveService]:
    """A started (serving, pipeline not yet running) service replaying every frame at 4×.

    Its tests check event times to a sample, which dropped frames would make unrepeatable.
    """
    spec = replace(
        parse_source(str(workspace / "colours.mkv"), replay=True, speed=4.0), keep_newest=False
    )
    with LiveService(pipeline, spec, ServiceOptions(port=0)) as service:
        yield service
