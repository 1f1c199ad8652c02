"""A real two-node Ray cluster for the session, and clips with a model whose events are known."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from framewise.testing.ffmpeg import colour_segments_clip
from framewise.testing.models import COLOUR_SEGMENTS, colour_model

if TYPE_CHECKING:
    from framewise.testing.ray_cluster import LocalRayCluster

REPO = Path(__file__).resolve().parents[3]

PIPELINE = """\
name: colours
source:
  detection_fps: 10
  batch_size: 4
detectors:
  - kind: yolo_onnx
    model: {model}
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

# A minute of colour segments: long enough to kill its worker mid-video.
LONG = [("red", 3.0), ("black", 2.0), ("lime", 3.0), ("black", 2.0)] * 6


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[LocalRayCluster]:
    """A head and a second node (one CPU each, their own raylets), stopped at the end."""
    pytest.importorskip("ray", reason="the ray extra is not installed")
    from framewise.testing.ray_cluster import LocalRayCluster

    # Nodes get the repository on their path, so workers import the test helpers too.
    with LocalRayCluster(nodes=2, cpus=1, env={"PYTHONPATH": str(REPO)}) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def colours(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    """``pipeline.yaml`` + model, ``videos/`` (two clips and a file that is not a video)."""
    root = tmp_path_factory.mktemp("colours")
    colour_model(root / "colour.onnx")
    (root / "pipeline.yaml").write_text(PIPELINE.format(model=root / "colour.onnx"))
    videos = root / "videos"
    videos.mkdir()
    colour_segments_clip(ffmpeg, videos / "a.mkv", COLOUR_SEGMENTS)
    colour_segments_clip(
        ffmpeg,
        videos / "b.mkv",
        [("lime", 1.0), ("red", 2.0), ("black", 1.0)],
        creation_time="2026-01-15T19:00:00Z",
    )
    (videos / "notes.mp4").write_bytes(b"these are notes, not a video\n" * 20)
    long = root / "long"
    long.mkdir()
    colour_segments_clip(ffmpeg, long / "long.mkv", LONG, size="320x240")
    return root


def framewise(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m framewise ARGS`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "framewise", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def copy_tree(source: Path, target: Path) -> Path:
    """A fresh copy of ``source`` at ``target`` (each run gets its own working folder)."""
    shutil.copytree(source, target)
    return target
