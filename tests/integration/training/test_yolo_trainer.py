"""``YoloTrainer`` through the trainer protocol: fit, evaluate and save on a tiny rendered dataset.

Slow (tens of seconds: two short renders and one epoch) and needs the ``train`` extra.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from framewise.datasets.spec import DatasetSpec, read_dataset_spec
from framewise.synth.render import RenderSettings, render_session
from framewise.synth.yolo_export import export_yolo
from framewise.training.base import Trainer
from framewise.training.yolo import TrainSettings, YoloTrainer

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("ultralytics_installed")]


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> DatasetSpec:
    root = tmp_path_factory.mktemp("tiny")
    sessions = []
    for seed in (3, 4):
        video = root / f"s{seed}.mkv"
        settings = RenderSettings(
            seconds=12, seed=seed, width=320, height=192, fps=10, start_in_raid=True
        )
        render_session(video, settings)
        sessions.append(video)
    export_yolo(sessions, root / "dataset", fps=1.0, val_share=0.5)
    return read_dataset_spec(root / "dataset")


def test_fit_evaluate_save(spec: DatasetSpec, tmp_path: Path) -> None:
    augment = (("fliplr", 0.0), ("hsv_v", 0.5))
    settings = TrainSettings(epochs=1, imgsz=128, batch=4, workers=0, augment=augment)
    trainer: Trainer = YoloTrainer(settings, command="test")
    # A spec made in code has no data.yaml of its own: the trainer writes one in the run.
    made = spec.model_copy(update={"source": None})
    result = trainer.fit(made, tmp_path / "run")
    assert (tmp_path / "run" / "data.yaml").is_file()
    assert result.model == tmp_path / "run" / "model.onnx" and result.model.is_file()
    card = result.artefacts["card"].read_text()
    assert card.count("framewise train yolo") == 1
    assert "Augmentations: fliplr 0 (default 0.5), hsv_v 0.5 (default 0.4)" in card
    # Ultralytics trained with them: its own record of the run's arguments says so.
    used = yaml.safe_load((tmp_path / "run" / "ultralytics" / "args.yaml").read_text())
    assert (used["fliplr"], used["hsv_v"], used["hsv_s"]) == (0.0, 0.5, 0.7)
    assert set(result.metrics.values) == {"precision", "recall", "mAP50", "mAP50-95"}
    assert result.metrics.samples == len(spec.images("val")) > 0
    again = trainer.evaluate(spec, "val")
    assert again.values == pytest.approx(result.metrics.values, abs=1e-6)
    onnx = trainer.save(tmp_path / "shipped.onnx")
    assert onnx.read_bytes() == result.model.read_bytes()
    weights = trainer.save(tmp_path / "shipped.pt")
    assert weights.read_bytes() == result.artefacts["weights"].read_bytes()
