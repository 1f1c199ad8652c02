"""The feature models of workflow W4 on the trainer protocol, over tabular dataset specs.

A fold of the train stage is a ``tabular`` :class:`~framewise.datasets.spec.DatasetSpec`:
``train.parquet`` and ``val.parquet`` (rows with ``label`` and the feature columns) and a
``dataset.json`` naming them and the classes, so a fold can be trained again by hand::

    trainer = FeatureTrainer("svm_stage2_stage4")
    result = trainer.fit(read_dataset_spec(Path("05_train/files/svm_stage2_stage4/fold_0")),
                         Path("again"))
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import joblib  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.pipeline import Pipeline

from framewise.core.atomic import atomic_open
from framewise.core.errors import InputError
from framewise.datasets.spec import DatasetKind, DatasetSpec
from framewise.training.base import FitResult, Metrics, check_kind
from framewise.training.classify import (
    FEATURE_MODELS,
    FoldScores,
    decision,
    make_model,
    score_fold,
)

F64 = npt.NDArray[np.float64]
COLUMNS = {"stage2": "hand_features", "stage4": "scaled_features"}
"""Feature set → the table column holding its vectors."""


def write_fold(
    folder: Path,
    rows: Sequence[dict[str, object]],
    train: Sequence[int],
    val: Sequence[int],
    classes: Sequence[str],
) -> DatasetSpec:
    """Write one fold as a tabular dataset (two Parquet tables and ``dataset.json``)."""
    wanted = ("key", "label", "group", *COLUMNS.values())
    for split, positions in (("train", train), ("val", val)):
        table = pa.Table.from_pylist(
            [{k: rows[i].get(k) for k in wanted if k in rows[i]} for i in positions]
        )
        with atomic_open(folder / f"{split}.parquet", "wb", encoding=None) as handle:
            pq.write_table(table, handle)
    spec = DatasetSpec(
        kind="tabular",
        root=folder,
        splits={"train": ("train.parquet",), "val": ("val.parquet",)},
        names=tuple(classes),
        task="classify",
    )
    spec.save(folder / "dataset.json")
    return spec


class FeatureTrainer:
    """One feature model (:data:`~framewise.training.classify.FEATURE_MODELS`) as a Trainer."""

    def __init__(self, model: str, seed: int = 0) -> None:
        self.name = model
        self.seed = seed
        self.sets = FEATURE_MODELS[model][1]
        self.model: Pipeline | None = None

    @property
    def fitted(self) -> Pipeline:
        """The fitted scikit-learn pipeline (after :meth:`fit`)."""
        if self.model is None:
            raise RuntimeError("fit() comes first")
        return self.model

    @property
    def kinds(self) -> frozenset[DatasetKind]:
        """Tabular datasets only."""
        return frozenset({"tabular"})

    def _xy(self, spec: DatasetSpec, split: str) -> tuple[F64, npt.NDArray[np.int64]]:
        tables = [pq.read_table(path).to_pylist() for path in spec.split_paths(split)]
        rows = [row for table in tables for row in table]
        if not rows:
            raise InputError(f"the {split} split holds no rows", subject=spec.subject)
        x = np.concatenate(
            [np.asarray([row[COLUMNS[s]] for row in rows], dtype=np.float64) for s in self.sets],
            axis=1,
        )
        y = np.asarray([spec.names.index(str(row["label"])) for row in rows], dtype=np.int64)
        return x, y

    def fit(self, spec: DatasetSpec, run_dir: Path) -> FitResult:
        """Fit on the train split; the model goes to ``run_dir/model.joblib``."""
        check_kind(self, spec.require("train", "val"))
        began = time.perf_counter()
        x, y = self._xy(spec, "train")
        self.model = make_model(self.name, self.seed).fit(x, y)
        path = self.save(run_dir / "model.joblib")
        metrics = self.evaluate(spec, "val")
        return FitResult(run_dir, path, metrics, time.perf_counter() - began)

    def scores(self, spec: DatasetSpec, split: str = "val") -> FoldScores:
        """Accuracy, F1, ROC AUC and confusion matrix on ``split``.

        Raises:
            ModelError: A score is undefined or not finite.
        """
        if self.model is None:
            raise RuntimeError("fit() comes first")
        x, y = self._xy(spec, split)
        predicted = np.asarray(self.model.predict(x), dtype=np.int64)
        where = f"{self.name} on {spec.subject} ({split})"
        return score_fold(predicted, decision(self.model, x), y, spec.names, where=where)

    def evaluate(self, spec: DatasetSpec, split: str = "val") -> Metrics:
        """The protocol's typed :class:`Metrics` of :meth:`scores`."""
        found = self.scores(spec, split)
        values = {"accuracy": found.accuracy, "f1": found.f1, "roc_auc": found.roc_auc}
        return Metrics(split, values, samples=found.samples)

    def save(self, path: Path) -> Path:
        """Write the fitted pipeline (joblib) to ``path``."""
        if self.model is None:
            raise RuntimeError("fit() comes first")
        with atomic_open(path, "wb", encoding=None) as handle:
            joblib.dump(self.model, handle)
        return path
