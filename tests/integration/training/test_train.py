"""One epoch on a tiny rendered dataset: training, ONNX export, parity check, model card.

Slow (a minute or two on two cores) and needs the ``train`` extra, which ``make test``
installs; CI runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from framewise.detectors.yolo_onnx import YoloOnnxDetector
from framewise.synth.render import RenderSettings, render_session
from framewise.synth.yolo_export import export_yolo

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("ultralytics_installed")]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    sessions = []
    for seed in (1, 2):
        video = root / f"s{seed}.mkv"
        render_session(
            video,
            RenderSettings(
                seconds=20, seed=seed, width=320, height=192, fps=10, start_in_raid=True
            ),
        )
        sessions.append(video)
    report = export_yolo(sessions, root / "dataset", fps=1.0, val_share=0.5)
    return report.data_yaml


def test_one_epoch_trains_exports_and_checks_the_onnx_model(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "framewise",
            "train",
            "yolo",
            "--data",
            str(dataset),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--imgsz",
            "128",
            "--batch",
            "4",
            "--workers",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "ONNX vs PyTorch" in done.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["metrics"]) == {"precision", "recall", "mAP50", "mAP50-95"}
    card = (out / "MODEL_CARD.md").read_text()
    assert "framewise train yolo" in card
    assert "opset 17" in card
    with YoloOnnxDetector(out / "model.onnx") as detector:
        assert "kill_notification" in detector.names
        assert detector.batch_size is None  # dynamic batch axis
    assert json.loads((out / "args.json").read_text())["epochs"] == "1"


def test_a_missing_dataset_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "framewise", "train", "yolo", "--data", str(tmp_path / "no.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3
    assert "no dataset YAML" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
