"""Task classifiers on windowed datasets: random forest and LightGBM, exported to ONNX.

:class:`TabularTrainer` follows the trainer protocol on a ``sequence`` dataset written by
``framewise features dataset``: each window (steps × features, already scaled) is
aggregated (``stats`` or ``flatten``), a model is fitted on the training split, scored on
validation and test, exported to ONNX (skl2onnx for the forest, onnxmltools for LightGBM)
and the export is checked against the fitted model on the test windows before it is
saved; predictions are served from the ONNX file (:class:`~framewise.features.task_model.
OnnxTaskModel`), so nobody unpickles anything. The run folder holds ``config.json``,
``metrics.json``, ``confusion_<split>.png``, ``model.onnx`` and its card ``model.json``.

Example:
    >>> trainer = TabularTrainer(TaskTrainSettings(model="rf", n_estimators=200))
    >>> spec = read_dataset_spec(Path("datasets/d1"))  # doctest: +SKIP
    >>> result = trainer.fit(spec, Path("runs/t1"))  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError, InputError, ModelError
from framewise.datasets.spec import DatasetKind, DatasetSpec
from framewise.datasets.window_files import WindowDataset, read_dataset
from framewise.features.task_model import (
    MODEL_NAME,
    OnnxTaskModel,
    TaskModelCard,
    aggregate,
    aggregated_names,
)
from framewise.training.base import FitResult, Metrics, check_kind
from framewise.training.task_report import (
    classification_metrics,
    confusion,
    confusion_png,
    metrics_json,
)

ModelKind = Literal["rf", "lightgbm", "lstm"]
PARITY_TOLERANCE = 1e-4
"""Largest difference of a class probability between the fitted model and its ONNX export."""


@dataclass(frozen=True)
class TaskTrainSettings:
    """``framewise train task``'s options (written to the run's ``config.json``).

    Attributes:
        model: ``rf``, ``lightgbm`` or ``lstm``.
        agg: How a tree model sees a window: ``stats`` (mean/std/min/max per feature) or
            ``flatten`` (every step's features).
        n_estimators: Trees (rf, lightgbm).
        max_depth: Tree depth limit (``None``: unlimited; LightGBM: -1).
        learning_rate: LightGBM's shrinkage and the LSTM's Adam step.
        features: Per-step features used (``None``: all); the ablation study narrows it.
        seed: Seeds the model.
        epochs: LSTM epochs at most (early stopping on validation loss).
        batch_size: LSTM mini-batch size.
        hidden: LSTM hidden units.
        patience: LSTM epochs without a better validation loss before stopping.
    """

    model: ModelKind = "rf"
    agg: Literal["stats", "flatten"] = "stats"
    n_estimators: int = 200
    max_depth: int | None = None
    learning_rate: float = 0.05
    features: tuple[str, ...] | None = None
    seed: int = 0
    epochs: int = 60
    batch_size: int = 64
    hidden: int = 64
    patience: int = 8


def feature_columns(data: WindowDataset, chosen: Sequence[str] | None) -> list[int]:
    """Indices of ``chosen`` per-step features (all of them for ``None``)."""
    names = data.feature_names
    if chosen is None:
        return list(range(len(names)))
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        raise ConfigError(f"unknown features {unknown}", subject="features", hint=f"use {names}")
    return [names.index(n) for n in chosen]


class TabularTrainer:
    """Random forest or LightGBM on aggregated windows (see the module docstring)."""

    def __init__(self, settings: TaskTrainSettings) -> None:
        if settings.model not in ("rf", "lightgbm"):
            raise ConfigError(
                f"TabularTrainer trains rf or lightgbm, not {settings.model}",
                subject="--model",
                hint="use SequenceTrainer for lstm",
            )
        self.settings = settings
        self.model: Any = None
        self.onnx: OnnxTaskModel | None = None
        self.data: WindowDataset | None = None
        self.columns: list[int] = []

    @property
    def kinds(self) -> frozenset[DatasetKind]:
        """Windowed (``sequence``) datasets."""
        return frozenset({"sequence"})

    def inputs(self, data: WindowDataset, split: str) -> NDArray[np.float32]:
        """The model's input rows of ``split``."""
        return aggregate(data.x[split][:, :, self.columns], self.settings.agg)

    def _estimator(self) -> Any:
        s = self.settings
        if s.model == "rf":
            from sklearn.ensemble import RandomForestClassifier

            return RandomForestClassifier(
                n_estimators=s.n_estimators,
                max_depth=s.max_depth,
                class_weight="balanced",
                random_state=s.seed,
                n_jobs=1,
            )
        import lightgbm

        return lightgbm.LGBMClassifier(
            n_estimators=s.n_estimators,
            max_depth=s.max_depth or -1,
            learning_rate=s.learning_rate,
            class_weight="balanced",
            random_state=s.seed,
            n_jobs=1,
            verbose=-1,
        )

    def fit(self, spec: DatasetSpec, run_dir: Path) -> FitResult:
        """Train, score, export to ONNX with a parity check, and fill ``run_dir``."""
        check_kind(self, spec)
        began = time.monotonic()
        data = read_dataset(spec.root)
        self.data, self.columns = data, feature_columns(data, self.settings.features)
        x, y = self.inputs(data, "train"), data.y["train"]
        if len(np.unique(y)) < 2:
            raise InputError(
                "the training split has one class",
                subject=spec.root,
                hint="rebuild the dataset with more videos or other split ratios",
            )
        self.model = self._estimator()
        self.model.fit(x, y)
        run_dir.mkdir(parents=True, exist_ok=True)
        card = self.card(data)
        onnx_path = export_onnx(self.model, self.settings.model, x.shape[1], run_dir / MODEL_NAME)
        card.save(run_dir)
        self.onnx = OnnxTaskModel(onnx_path, card)
        parity = check_parity(self.model, self.onnx, self.inputs(data, "test"), onnx_path)
        importance = getattr(self.model, "feature_importances_", None)
        names = aggregated_names(
            [data.feature_names[c] for c in self.columns], card.steps, card.aggregation
        )
        extra: dict[str, Any] = {"onnx_parity_max_abs_diff": parity}
        if importance is not None:
            ranked = sorted(
                zip(names, np.asarray(importance, float).tolist(), strict=True), key=lambda p: -p[1]
            )
            extra["feature_importance"] = dict(ranked[:30])
        report = write_run(self, data, run_dir, extra)
        return FitResult(
            run_dir,
            onnx_path,
            report["val"],
            time.monotonic() - began,
            {"card": run_dir / "model.json", "metrics": run_dir / "metrics.json"},
        )

    def card(self, data: WindowDataset) -> TaskModelCard:
        """The card of the fitted model."""
        meta = data.metadata
        return TaskModelCard(
            classes=data.classes,
            features=data.feature_names,
            columns=self.columns,
            window_sec=float(meta["window"]["window_sec"]),
            step_sec=float(meta["window"]["step_sec"]),
            steps=int(meta["steps"]),
            mean=list(meta["scaler"]["mean"]),
            std=list(meta["scaler"]["std"]),
            aggregation=self.settings.agg,
            model=self.settings.model,
        )

    def predict(self, data: WindowDataset, split: str) -> NDArray[np.int64]:
        """Class numbers of ``split``'s windows, from the ONNX export."""
        if self.onnx is None:
            raise ModelError("the trainer has not been fitted", subject="trainer", hint="fit first")
        probabilities = self.onnx.run(self.inputs(data, split))
        return np.asarray(probabilities.argmax(axis=1), np.int64)

    def evaluate(self, spec: DatasetSpec, split: str = "val") -> Metrics:
        """Score the ONNX export on ``split``."""
        data = read_dataset(spec.root)
        return classification_metrics(split, data.y[split], self.predict(data, split), data.classes)

    def save(self, path: Path) -> Path:
        """Copy the ONNX model to ``path``."""
        if self.onnx is None or self.data is None:
            raise ModelError("the trainer has not been fitted", subject="trainer", hint="fit first")
        export_onnx(self.model, self.settings.model, self.inputs(self.data, "train").shape[1], path)
        return path


def export_onnx(model: Any, kind: str, width: int, path: Path) -> Path:
    """Export a fitted forest or LightGBM model to ONNX (probabilities as a plain tensor)."""
    if kind == "rf":
        from skl2onnx import convert_sklearn
        from skl2onnx.common.data_types import FloatTensorType

        proto = convert_sklearn(
            model,
            initial_types=[("input", FloatTensorType([None, width]))],
            options={id(model): {"zipmap": False}},
            target_opset={"": 17, "ai.onnx.ml": 3},
        )
    else:
        from onnxmltools import convert_lightgbm
        from onnxmltools.convert.common.data_types import FloatTensorType as MlFloat

        proto = convert_lightgbm(
            model, initial_types=[("input", MlFloat([None, width]))], zipmap=False, target_opset=15
        )
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(proto.SerializeToString())
    partial.replace(path)
    return path


def check_parity(model: Any, onnx: OnnxTaskModel, x: NDArray[np.float32], path: Path) -> float:
    """Largest probability difference between ``model`` and its export on ``x``.

    Raises:
        ModelError: It exceeds :data:`PARITY_TOLERANCE` or a predicted class differs.
    """
    if len(x) == 0:
        return 0.0
    theirs = np.asarray(model.predict_proba(x), np.float32)
    ours = onnx.run(x)
    diff = float(np.abs(theirs - ours).max())
    if diff > PARITY_TOLERANCE:
        raise ModelError(
            f"the ONNX export differs from the trained model by {diff:.2e}",
            subject=path,
            hint="report this with the dataset; the export is not trusted",
        )
    return diff


def write_run(
    trainer: Any, data: WindowDataset, run_dir: Path, extra: dict[str, Any]
) -> dict[str, Metrics]:
    """``config.json``, ``metrics.json`` and the confusion PNGs of a fitted trainer."""
    write_json(
        run_dir / "config.json",
        {"dataset": str(data.path.resolve()), **asdict(trainer.settings)},
    )
    report: dict[str, Metrics] = {}
    payload: dict[str, Any] = {"classes": data.classes}
    for split in ("val", "test"):
        y_true = data.y[split]
        y_pred = trainer.predict(data, split)
        metrics = classification_metrics(split, y_true, y_pred, data.classes)
        matrix = confusion(y_true, y_pred, len(data.classes))
        report[split] = metrics
        payload[split] = metrics_json(metrics, matrix)
        confusion_png(run_dir / f"confusion_{split}.png", matrix, data.classes, f"{split} split")
    payload.update(extra)
    write_json(run_dir / "metrics.json", payload)
    return report
