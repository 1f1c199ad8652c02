"""The trainer protocol fits a second model family: a nearest-centroid classifier on a table.

The classifier is written here, in plain numpy, the way a tabular trainer (W2) will be: it
reads only what the :class:`DatasetSpec` points at, and mypy checks it against ``Trainer``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from numpy.typing import NDArray

from framewise.core.errors import ConfigError, ModelError
from framewise.datasets.spec import DatasetKind, DatasetSpec, read_dataset_spec
from framewise.training.base import FitResult, Metrics, Trainer, check_kind
from framewise.training.yolo import YoloTrainer

Table = tuple[NDArray[np.float64], NDArray[np.int64]]


class NearestCentroid:
    """Classifies a row as the class whose mean training row is nearest."""

    kinds: ClassVar[frozenset[DatasetKind]] = frozenset({"tabular"})

    def __init__(self) -> None:
        self.centroids: NDArray[np.float64] | None = None

    def fit(self, spec: DatasetSpec, run_dir: Path) -> FitResult:
        check_kind(self, spec.require("train", "val"))
        features, labels = _table(spec, "train")
        self.centroids = np.stack(
            [features[labels == k].mean(axis=0) for k in range(len(spec.names))]
        )
        model = self.save(run_dir / "model.npy")
        return FitResult(run_dir, model, self.evaluate(spec), seconds=0.0)

    def evaluate(self, spec: DatasetSpec, split: str = "val") -> Metrics:
        features, labels = _table(spec.require(split), split)
        distances = np.linalg.norm(features[:, None, :] - self._fitted()[None], axis=2)
        predicted = distances.argmin(axis=1)
        recall = {
            name: {"recall": float(np.mean(predicted[labels == k] == k))}
            for k, name in enumerate(spec.names)
        }
        accuracy = float(np.mean(predicted == labels))
        return Metrics(split, {"accuracy": accuracy}, recall, samples=len(labels))

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, self._fitted(), allow_pickle=False)
        return path

    def _fitted(self) -> NDArray[np.float64]:
        if self.centroids is None:
            raise ModelError("not fitted")
        return self.centroids


def _table(spec: DatasetSpec, split: str) -> Table:
    rows = np.concatenate([np.loadtxt(p, delimiter=",", ndmin=2) for p in spec.split_paths(split)])
    return rows[:, :-1], rows[:, -1].astype(np.int64)


@pytest.fixture
def spec(tmp_path: Path) -> DatasetSpec:
    rng = np.random.default_rng(7)
    root = tmp_path / "features"
    root.mkdir()
    for split, count in (("train", 60), ("val", 30)):
        labels = rng.integers(0, 3, size=count)
        centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
        rows = centres[labels] + rng.normal(scale=0.5, size=(count, 2))
        np.savetxt(root / f"{split}.csv", np.column_stack([rows, labels]), delimiter=",")
    written = DatasetSpec(
        kind="tabular",
        root=root,
        splits={"train": ("train.csv",), "val": ("val.csv",)},
        names=("rest", "left", "up"),
        task="classify",
    )
    return read_dataset_spec(written.save())  # through disk, as a trainer would get it


def test_a_tabular_trainer_fits_evaluates_and_saves(spec: DatasetSpec, tmp_path: Path) -> None:
    trainer: Trainer = NearestCentroid()  # mypy checks the protocol here
    assert isinstance(trainer, Trainer)
    result = trainer.fit(spec, tmp_path / "run")
    assert result.model == tmp_path / "run" / "model.npy" and result.model.is_file()
    assert result.metrics.split == "val" and result.metrics.samples == 30
    assert result.metrics.values["accuracy"] > 0.9  # three well-separated clusters
    assert set(result.metrics.per_class) == {"rest", "left", "up"}
    assert trainer.evaluate(spec, "train").values["accuracy"] > 0.9
    saved = trainer.save(tmp_path / "copy.npy")
    assert np.array_equal(np.load(saved), np.load(result.model))
    with pytest.raises(ConfigError, match="cannot fit a yolo dataset"):
        trainer.fit(spec.model_copy(update={"kind": "yolo"}), tmp_path / "wrong")


def test_the_yolo_trainer_is_a_trainer_that_refuses_other_kinds(
    spec: DatasetSpec, tmp_path: Path
) -> None:
    trainer: Trainer = YoloTrainer()
    assert isinstance(trainer, Trainer) and trainer.kinds == frozenset({"yolo"})
    with pytest.raises(ConfigError, match="cannot fit a tabular dataset"):
        trainer.fit(spec, tmp_path / "run")  # refused before anything is trained
    with pytest.raises(ModelError, match="no model has been fitted"):
        trainer.save(tmp_path / "model.onnx")


def test_metrics_are_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        Metrics("val", {"accuracy": float("nan")})
    with pytest.raises(ValueError, match="finite"):
        Metrics("val", {}, {"a": {"recall": float("inf")}})
