"""The W2 loop from the command line on a real video: extract → dataset → train task."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from tests.integration.cli import cli_run
from tests.integration.walk import LABELS, VIDEO

framewise = partial(cli_run.framewise, timeout=600)
"""The CLI with room for its slowest commands (feature extraction, training, a Tarkov run)."""

pytest.importorskip("mediapipe")
pytest.importorskip("sklearn")


def test_extract_dataset_train_from_the_cli(real_data: Path, tmp_path: Path) -> None:
    table = tmp_path / "one.parquet"
    done = framewise(
        "features", "extract", "--video", real_data / VIDEO, "--output", table,
        "--labels", LABELS / "one-by-one-person-detection.csv", "--sample-fps", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "280 frames" in done.stdout and table.exists()
    labels = LABELS / "one-by-one-person-detection.csv"
    again = framewise("features", "extract", "--video", real_data / VIDEO, "--output", table,
                      "--labels", labels, "--sample-fps", "2")  # fmt: skip
    assert "kept" in again.stdout
    data = tmp_path / "ds"
    done = framewise(
        "features", "dataset", "--features", table, "--output", data, "--window-sec", "2",
        "--step-sec", "0.5", "--group-sec", "20", "--balance", "upsample",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (data / "X_train.npy").exists() and (data / "windows.parquet").exists()
    run = tmp_path / "run"
    done = framewise("train", "task", "--dataset", data, "--model", "rf", "--output", run,
                     "--n-estimators", "50")  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = json.loads((run / "metrics.json").read_text())
    assert {"absent", "work"} <= set(metrics["classes"])
    assert metrics["test"]["accuracy"] > 0.6
    assert (run / "model.onnx").exists() and (run / "confusion_test.png").exists()


def test_bad_inputs_get_one_line_errors(real_data: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    done = framewise("features", "extract", "--video", real_data / VIDEO, "--output",
                     tmp_path / "x.parquet", "--labels", empty)  # fmt: skip
    assert done.returncode == 3
    assert done.stderr.strip().splitlines() == [
        f"framewise: error: {empty}:1: the label file is empty — write a header and label rows"
    ]
    done = framewise("features", "dataset", "--features", tmp_path / "none.parquet",
                     "--output", tmp_path / "d")  # fmt: skip
    assert done.returncode == 3 and "does not exist" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
