"""The pose/objects ablation: footage without objects trains pose-only and fused and marks
objects-only as not trainable; footage with objects trains all three."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from framewise.datasets.task_table import row, write_feature_table
from framewise.datasets.window_files import read_dataset
from framewise.datasets.windows import WindowSpec, build_dataset
from framewise.features.task import NUMERIC_FEATURES, FrameFeatures
from framewise.training.tabular import TaskTrainSettings
from framewise.training.task_run import empty_groups, run_ablation
from tests.integration.cli import cli_run

framewise = partial(cli_run.framewise, timeout=600)
"""The CLI with room for its slowest commands (feature extraction, training, a Tarkov run)."""

pytest.importorskip("sklearn")
pytest.importorskip("onnxruntime")


def with_objects(path: Path, video: str, seed: int) -> Path:
    """10 fps of frames whose hand-to-object distance and hand height tell the label."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, label in enumerate(["idle"] * 60 + ["work"] * 60):
        values: dict[str, float | None] = dict.fromkeys(NUMERIC_FEATURES)
        values["right_hand_obj_dist"] = (0.05 if label == "work" else 0.6) + rng.normal(0, 0.03)
        values["right_hand_y"] = (0.5 if label == "work" else 0.7) + rng.normal(0, 0.1)
        presence = {"pose_present": True, "left_hand_present": False, "right_hand_present": True}
        features = FrameFeatures(i / 10, values, presence)
        rows.append(row(video, i, datetime(2026, 1, 1, tzinfo=UTC), features, label))
    write_feature_table(path, rows, {"detector": "fusion"})
    return path


def test_a_real_video_without_objects_trains_pose_and_fused(
    walk_dataset_dir: Path, tmp_path: Path
) -> None:
    dataset = walk_dataset_dir
    assert empty_groups(read_dataset(dataset)) == {"objects"}
    run = tmp_path / "run"
    done = framewise("train", "task", "--dataset", dataset, "--model", "rf", "--output", run,
                     "--n-estimators", "20", "--ablation")  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = json.loads((run / "ablation.json").read_text())
    assert list(table) == ["pose", "objects", "fused"]
    assert "no object features in the data" in table["objects"]["not_trainable"]
    for trained in ("pose", "fused"):
        assert 0 < table[trained]["test_f1_macro"] <= 1
        assert (run / "ablation" / trained / "model.onnx").is_file()
    assert not (run / "ablation" / "objects").exists()
    markdown = (run / "ablation.md").read_text().splitlines()
    assert markdown[3].startswith("| objects | not trainable: no object features in the data")
    assert "| objects | not trainable" in done.stdout


def test_footage_with_objects_trains_all_three(tmp_path: Path) -> None:
    tables = [with_objects(tmp_path / f"v{k}.parquet", f"v{k}", k) for k in range(6)]
    build_dataset(tables, tmp_path / "d", WindowSpec(window_sec=2.0, step_sec=0.5))
    assert empty_groups(read_dataset(tmp_path / "d")) == set()
    lines = list(run_ablation(tmp_path / "d", tmp_path / "run", TaskTrainSettings(n_estimators=10)))
    table = json.loads((tmp_path / "run" / "ablation.json").read_text())
    assert all("test_f1_macro" in table[name] for name in ("pose", "objects", "fused"))
    # The distance alone tells work from idle here.
    assert table["objects"]["test_f1_macro"] > 0.9
    assert len(lines) == 5 and not any("not trainable" in line for line in lines)
