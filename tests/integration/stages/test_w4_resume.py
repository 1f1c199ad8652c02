"""Stages 0-4 on real clips; a kill -9 in the middle of a stage resumes to the same tables."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from framewise.features.handcrafted import HANDCRAFTED
from framewise.features.scaled import SCALED
from framewise.pipeline.stages import load_pipeline, read_rows, run_pipeline
from framewise.pipeline.stages.table import chunk_files
from tests.integration.stages.conftest import PASSWORD

NAMES = ("00_index", "01_augment", "02_features", "03_scale", "04_scaled")


def _pipeline(folder: Path, video_set: Path) -> Path:
    path = folder / "w4.yaml"
    path.write_text(
        f"root: out\nseed: 11\nchunk_rows: 2\nstages:\n"
        f"  - kind: index\n    videos: {video_set / 'videos'}\n"
        f"    labels: {video_set / 'labels.csv'}\n    password_env: W4_TEST_PASSWORD\n"
        "  - kind: augment\n    count: 2\n    kinds: [flip, reverse, blur]\n"
        "  - {kind: features, frames: 3}\n"
        "  - {kind: scale, target: 64, inputs: [01_augment]}\n"
        "  - {kind: scaled_features, name: 04_scaled, frames: 3}\n"
    )
    return path


def _tables(root: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: read_rows(root / name) for name in NAMES}


@pytest.fixture
def clean_run(
    tmp_path_factory: pytest.TempPathFactory, video_set: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[dict[str, Any]]]:
    monkeypatch.setenv("W4_TEST_PASSWORD", PASSWORD)
    folder = tmp_path_factory.mktemp("clean")
    run_pipeline(load_pipeline(_pipeline(folder, video_set)))
    return _tables(folder / "out")


def test_stages_0_to_4_write_features_and_flags(clean_run: dict[str, list[dict[str, Any]]]) -> None:
    features = [row for row in clean_run["02_features"] if not row["error"]]
    scaled = [row for row in clean_run["04_scaled"] if not row["error"]]
    assert len(features) == len(scaled) == 12  # 4 readable videos × (original + 2 copies)
    assert all(len(row["hand_features"]) == len(HANDCRAFTED) for row in features)
    assert all(len(row["scaled_features"]) == len(SCALED) for row in scaled)
    # 96×64 clips letterboxed to 64: downscaled, and the flags are the last two features.
    assert all(row["is_downscaled"] and not row["is_upscaled"] for row in scaled)
    assert all(row["scaled_features"][-2:] == [0.0, 1.0] for row in scaled)
    assert {row["group"] for row in scaled} == {"a", "b", "d"}


@pytest.mark.parametrize("stage", ["01_augment", "02_features", "03_scale", "04_scaled"])
def test_kill_9_inside_a_stage_then_resume_gives_the_same_tables(
    tmp_path: Path,
    video_set: Path,
    stage: str,
    clean_run: dict[str, list[dict[str, Any]]],
) -> None:
    spec = _pipeline(tmp_path, video_set)
    env = {**os.environ, "W4_TEST_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "framewise", "stages", "run", str(spec)]
    child = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    folder = tmp_path / "out" / stage
    deadline = time.monotonic() + 120
    while not chunk_files(folder) and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL, "the run ended before the kill"
    assert not (folder / "table.parquet").exists()
    done = subprocess.run(command, env=env, check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "resumed" in done.stdout
    assert _tables(tmp_path / "out") == clean_run
    leftovers = [p for p in (tmp_path / "out").rglob("*") if p.name.startswith(".")]
    assert leftovers == [], "a temporary file of the killed row is left"
