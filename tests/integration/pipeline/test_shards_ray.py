"""Shards on a real two-node Ray cluster equal a local whole-file run.

``framewise process --shard-sec 2 --executor ray`` sends the shards of a variable-frame-rate
video to actors on two nodes (each its own ``ray start``, started and stopped here); the
merged run has the whole-file run's events, journal and thumbnails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from framewise.config.pipeline import load_pipeline
from framewise.pipeline.runner import Pipeline
from framewise.testing.models import colour_model
from tests.integration.pipeline.test_process import PIPELINE
from tests.integration.pipeline.test_shards import LOW, _assert_same_run

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict[str, str]]:
    """A head and a second node (one CPU each); yields the environment a driver joins with."""
    pytest.importorskip("ray", reason="the ray extra is not installed")
    from framewise.testing.ray_cluster import LocalRayCluster

    with LocalRayCluster(nodes=2, cpus=1, env={"PYTHONPATH": str(REPO)}) as running:
        yield {**os.environ, **running.env, "RAY_ADDRESS": running.address}


def test_shards_on_a_ray_cluster_equal_a_whole_file_run(
    cluster: dict[str, str], real_data: Path, tmp_path: Path
) -> None:
    colour_model(tmp_path / "colour.onnx")
    (tmp_path / "pipeline.yaml").write_text(PIPELINE)
    video = real_data / "pyscenedetect" / "goldeneye-vfr-drop3.mp4"
    pipeline = Pipeline(load_pipeline(tmp_path / "pipeline.yaml"), confidence=LOW)
    try:
        pipeline.process_video(video, tmp_path / "whole" / video.stem)
    finally:
        pipeline.close()
    done = subprocess.run(
        [sys.executable, "-m", "framewise", "process", "--video", str(video),
         "--config", str(tmp_path / "pipeline.yaml"), "--confidence-threshold", str(LOW),
         "--output", str(tmp_path / "ray"), "--shard-sec", "2", "--executor", "ray",
         "--workers", "2"],
        env=cluster, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "shards of 2 s, ray]" in done.stdout
    _assert_same_run(tmp_path / "whole" / video.stem, tmp_path / "ray" / video.stem)
