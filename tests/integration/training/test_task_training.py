"""Task classifiers on a windowed dataset: metrics, figures, ONNX export served with parity."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from framewise.core.errors import InputError
from framewise.datasets.spec import read_dataset_spec
from framewise.datasets.task_table import row, write_feature_table
from framewise.datasets.window_files import read_dataset
from framewise.datasets.windows import WindowSpec, build_dataset
from framewise.features.task import NUMERIC_FEATURES, FrameFeatures
from framewise.features.task_model import OnnxTaskModel
from framewise.training.base import Trainer
from framewise.training.tabular import TabularTrainer, TaskTrainSettings

pytest.importorskip("sklearn")
pytest.importorskip("onnxruntime")


def table(path: Path, video: str, labels: Sequence[str], seed: int) -> Path:
    """10 fps of frames whose hand height and speed depend on the label, with noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, label in enumerate(labels):
        values: dict[str, float | None] = dict.fromkeys(NUMERIC_FEATURES)
        base = {"idle": 0.8, "work": 0.5, "walk": 0.2}[label]
        values["right_hand_y"] = base + rng.normal(0, 0.05)
        values["right_hand_speed"] = (1.0 if label == "walk" else 0.2) + rng.normal(0, 0.05)
        values["left_elbow_angle"] = 90 + rng.normal(0, 10)
        presence = {"pose_present": True, "left_hand_present": False, "right_hand_present": True}
        rows.append(
            row(
                video,
                i,
                datetime(2026, 1, 1, tzinfo=UTC),
                FrameFeatures(i / 10, values, presence),
                label,
            )
        )
    write_feature_table(path, rows, {"detector": "pose"})
    return path


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("task")
    inputs = []
    for k in range(6):
        labels = ["idle"] * 60 + ["work"] * 80 + ["walk"] * 60
        inputs.append(table(folder / f"v{k}.parquet", f"v{k}", labels, k))
    build_dataset(
        inputs, folder / "d", WindowSpec(window_sec=2.0, step_sec=0.5, balance="upsample")
    )
    return folder / "d"


@pytest.mark.parametrize("model", ["rf", "lightgbm"])
def test_tree_models_train_export_and_serve_from_onnx(
    dataset: Path, tmp_path: Path, model: str
) -> None:
    if model == "lightgbm":
        pytest.importorskip("lightgbm")
    trainer = TabularTrainer(TaskTrainSettings(model=model, n_estimators=50))  # type: ignore[arg-type]
    assert isinstance(trainer, Trainer)
    result = trainer.fit(read_dataset_spec(dataset), tmp_path / "run")
    run = tmp_path / "run"
    assert result.model == run / "model.onnx" and result.metrics.values["accuracy"] > 0.9
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["classes"] == ["idle", "walk", "work"]
    assert set(metrics["test"]) >= {
        "accuracy",
        "f1_macro",
        "f1_weighted",
        "per_class",
        "confusion_matrix",
    }
    assert set(metrics["test"]["per_class"]["walk"]) == {"precision", "recall", "f1", "support"}
    assert metrics["onnx_parity_max_abs_diff"] <= 1e-4
    assert (
        metrics["feature_importance"]
        and (run / "confusion_test.png").read_bytes()[:4] == b"\x89PNG"
    )
    config = json.loads((run / "config.json").read_text())
    assert config["model"] == model and config["agg"] == "stats"
    # Served from ONNX, with the card's scaler: raw windows give the same classes.
    data = read_dataset(dataset)
    served = OnnxTaskModel.load(run)
    assert served.card.classes == ["idle", "walk", "work"]
    assert trainer.evaluate(read_dataset_spec(dataset), "val").values == result.metrics.values
    probabilities = served.run(trainer.inputs(data, "test"))
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    mean = np.asarray(served.card.mean, np.float32)
    std = np.asarray(served.card.std, np.float32)
    raw = data.x["test"] * std + mean  # undo the dataset's scaling: what a live buffer holds
    again = served.predict_proba(raw.astype(np.float32))
    assert (again.argmax(axis=1) == probabilities.argmax(axis=1)).mean() > 0.99


def test_flatten_aggregation_trains_too(dataset: Path, tmp_path: Path) -> None:
    trainer = TabularTrainer(TaskTrainSettings(model="rf", agg="flatten", n_estimators=20))
    result = trainer.fit(read_dataset_spec(dataset), tmp_path / "run")
    assert OnnxTaskModel.load(tmp_path / "run").card.aggregation == "flatten"
    assert result.metrics.samples > 0


def test_a_dataset_folder_that_is_not_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a dataset folder"):
        read_dataset(tmp_path)


def test_lstm_trains_with_early_stopping_and_serves_from_onnx(
    dataset: Path, tmp_path: Path
) -> None:
    pytest.importorskip("torch")
    from framewise.training.sequence import SequenceTrainer

    settings = TaskTrainSettings(model="lstm", epochs=15, hidden=16, learning_rate=0.01)
    trainer = SequenceTrainer(settings)
    assert isinstance(trainer, Trainer)
    result = trainer.fit(read_dataset_spec(dataset), tmp_path / "run")
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["onnx_parity_max_abs_diff"] <= 1e-4 and "best_val_loss" in metrics
    assert result.metrics.values["accuracy"] > 0.8
    served = OnnxTaskModel.load(tmp_path / "run")
    assert served.card.aggregation == "sequence" and served.card.model == "lstm"
    data = read_dataset(dataset)
    assert served.run(data.x["test"]).shape == (len(data.y["test"]), 3)
