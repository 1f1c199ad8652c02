"""The trainer protocol: every model family trains, scores and saves the same way.

A trainer gets a :class:`~framewise.datasets.spec.DatasetSpec` (never a path it parses itself)
and a run folder, and gives back typed results::

    trainer.fit(spec, run_dir) -> FitResult     # train; the run folder holds everything
    trainer.evaluate(spec, "val") -> Metrics    # score the fitted model on a split
    trainer.save(path) -> Path                  # write the deployable model

The YOLO trainer (:class:`framewise.training.yolo.YoloTrainer`) is one; tabular (random
forest, LightGBM) and sequence (LSTM) trainers are the others this protocol is shaped for:
``kinds`` says which datasets a trainer takes, so a caller can refuse a wrong one early.

Example:
    >>> trainer = YoloTrainer(TrainSettings(epochs=30))  # doctest: +SKIP
    >>> result = trainer.fit(read_dataset_spec(Path("dataset")), Path("runs/v3"))  # doctest: +SKIP
    >>> result.metrics.values["mAP50"]  # doctest: +SKIP
    0.91
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from framewise.core.errors import ConfigError
from framewise.datasets.spec import DatasetKind, DatasetSpec


@dataclass(frozen=True)
class Metrics:
    """Scores of a model on one split of a dataset.

    Attributes:
        split: The split scored (``val``, ``test``, ...).
        values: Overall scores by name (``mAP50``, ``accuracy``, ``f1``, ...).
        per_class: Scores by class name, then by score name.
        samples: Images, rows or windows scored.
    """

    split: str
    values: Mapping[str, float]
    per_class: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    samples: int = 0

    def __post_init__(self) -> None:
        scores = [*self.values.values()]
        scores += [v for row in self.per_class.values() for v in row.values()]
        if not all(math.isfinite(v) for v in scores):
            raise ValueError("metrics must be finite numbers")
        if self.samples < 0:
            raise ValueError("samples must not be negative")


@dataclass(frozen=True)
class FitResult:
    """What a fit produced.

    Attributes:
        run_dir: The run folder (arguments, weights, logs, reports).
        model: The deployable model file (ONNX for detectors, anything for others).
        metrics: Scores on the dataset's validation split.
        seconds: Time spent training.
        artefacts: Other files worth naming, by role (``weights``, ``card``, ...).
    """

    run_dir: Path
    model: Path
    metrics: Metrics
    seconds: float
    artefacts: Mapping[str, Path] = field(default_factory=dict)


@runtime_checkable
class Trainer(Protocol):
    """Trains one model family (see the module docstring)."""

    @property
    def kinds(self) -> frozenset[DatasetKind]:
        """The dataset kinds this trainer can fit."""
        ...

    def fit(self, spec: DatasetSpec, run_dir: Path) -> FitResult:
        """Train on ``spec``'s splits, keeping every file in ``run_dir``."""
        ...

    def evaluate(self, spec: DatasetSpec, split: str = "val") -> Metrics:
        """Score the fitted model on ``split`` of ``spec``."""
        ...

    def save(self, path: Path) -> Path:
        """Write the fitted model to ``path``; returns the file written."""
        ...


def check_kind(trainer: Trainer, spec: DatasetSpec) -> DatasetSpec:
    """``spec``, checked to be a kind ``trainer`` fits; returns it.

    Raises:
        ConfigError: The trainer cannot fit this kind of dataset.
    """
    if spec.kind not in trainer.kinds:
        raise ConfigError(
            f"a {type(trainer).__name__} cannot fit a {spec.kind} dataset",
            subject=spec.subject,
            hint=f"give it a {' or '.join(sorted(trainer.kinds))} dataset",
        )
    return spec
