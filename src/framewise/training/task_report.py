"""Scores and figures of a task classifier: metrics.json's content and the confusion PNG.

Example:
    >>> import numpy as np
    >>> m = classification_metrics("test", np.array([0, 1, 1]), np.array([0, 1, 0]), ["a", "b"])
    >>> round(m.values["accuracy"], 3), m.per_class["a"]["recall"]
    (0.667, 1.0)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from framewise.core.atomic import write_json
from framewise.training.base import Metrics


def confusion(y_true: NDArray[np.int64], y_pred: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Rows: true class; columns: predicted class."""
    matrix = np.zeros((n, n), np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def classification_metrics(
    split: str, y_true: NDArray[np.int64], y_pred: NDArray[np.int64], classes: Sequence[str]
) -> Metrics:
    """Accuracy, F1 macro and weighted, per-class precision / recall / F1 / support."""
    n = len(classes)
    matrix = confusion(np.asarray(y_true), np.asarray(y_pred), n)
    per_class: dict[str, dict[str, float]] = {}
    f1s, supports = [], []
    for i, name in enumerate(classes):
        tp = float(matrix[i, i])
        predicted, actual = float(matrix[:, i].sum()), float(matrix[i, :].sum())
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {"precision": precision, "recall": recall, "f1": f1, "support": actual}
        f1s.append(f1)
        supports.append(actual)
    total = float(matrix.sum())
    present = [f for f, s in zip(f1s, supports, strict=True) if s > 0]
    values = {
        "accuracy": float(np.trace(matrix)) / total if total else 0.0,
        "f1_macro": float(np.mean(present)) if present else 0.0,
        "f1_weighted": float(np.dot(f1s, supports) / total) if total else 0.0,
    }
    return Metrics(split, values, per_class, int(total))


def metrics_json(metrics: Metrics, matrix: NDArray[np.int64]) -> dict[str, Any]:
    """One split's block of ``metrics.json``."""
    return {
        "samples": metrics.samples,
        **metrics.values,
        "per_class": {k: dict(v) for k, v in metrics.per_class.items()},
        "confusion_matrix": matrix.tolist(),
    }


def write_metrics(path: Path, payload: dict[str, Any]) -> None:
    """Write ``metrics.json`` atomically."""
    write_json(path, payload)


def confusion_png(
    path: Path, matrix: NDArray[np.int64], classes: Sequence[str], title: str
) -> Path:
    """Draw the confusion matrix (counts, rows = true class) into ``path``."""
    import matplotlib

    matplotlib.use("Agg")  # no display: figures go to files only
    import matplotlib.pyplot as plt

    size = 1.2 + 0.7 * len(classes)
    figure, axes = plt.subplots(figsize=(size + 1.5, size))
    try:
        image = axes.imshow(matrix, cmap="Blues")
        figure.colorbar(image, ax=axes)
        ticks = range(len(classes))
        axes.set_xticks(ticks, classes, rotation=45, ha="right")
        axes.set_yticks(ticks, classes)
        axes.set_xlabel("predicted")
        axes.set_ylabel("true")
        axes.set_title(title)
        limit = matrix.max() / 2 if matrix.size else 0
        for (r, c), value in np.ndenumerate(matrix):
            colour = "white" if value > limit else "black"
            axes.text(c, r, str(value), ha="center", va="center", color=colour)
        figure.tight_layout()
        partial = path.with_name(f".{path.name}.partial")
        figure.savefig(partial, format="png", dpi=100)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(path)
    finally:
        plt.close(figure)
    return path
