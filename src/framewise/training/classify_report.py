"""The training stage's report: a table comparing models, plots, and the leakage audit.

``report.md`` holds one line per model (mean ± std over folds of accuracy, F1 and ROC AUC),
the folds' sizes, the audit's verdict and links to the plots: per model a ROC curve per
fold, the summed confusion matrix and, where the model has them, feature importances (PNG,
matplotlib's Agg backend, nothing shown on screen).

Example:
    >>> scores = {"accuracy": {"mean": 0.9, "std": 0.1}}
    >>> text = markdown_table({"svm": scores})  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import numpy.typing as npt

from framewise.core.atomic import atomic_open, write_text

mpl.use("Agg")

import matplotlib.pyplot as plt  # after choosing the backend
from sklearn.metrics import roc_curve

SCORES = ("accuracy", "f1", "roc_auc")


def markdown_table(aggregates: Mapping[str, Mapping[str, Mapping[str, float]]]) -> str:
    """One row per model, ``mean ± std`` per score, best ROC AUC first."""
    lines = ["| model | accuracy | F1 | ROC AUC |", "|---|---|---|---|"]
    order = sorted(aggregates, key=lambda m: -aggregates[m]["roc_auc"]["mean"])
    for model in order:
        cells = [
            f"{aggregates[model][s]['mean']:.3f} ± {aggregates[model][s]['std']:.3f}"
            for s in SCORES
        ]
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _save(figure: Any, path: Path) -> None:
    with atomic_open(path, "wb", encoding=None) as handle:
        figure.savefig(handle, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)


def plot_roc(
    path: Path, curves: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]], title: str
) -> None:
    """ROC curve of each fold (binary tasks)."""
    figure, axes = plt.subplots(figsize=(4, 4))
    for number, (truth, scores) in enumerate(curves):
        if scores.ndim == 1 and len(set(truth.tolist())) == 2:
            fpr, tpr, _ = roc_curve(truth, scores)
            axes.plot(fpr, tpr, label=f"fold {number}")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey")
    axes.set(xlabel="false positive rate", ylabel="true positive rate", title=title)
    axes.legend(loc="lower right", fontsize=7)
    _save(figure, path)


def plot_confusion(path: Path, matrix: npt.NDArray[np.int64], classes: Sequence[str]) -> None:
    """The confusion matrix summed over folds."""
    figure, axes = plt.subplots(figsize=(3.5, 3.5))
    axes.imshow(matrix, cmap="Blues")
    for (i, j), value in np.ndenumerate(matrix):
        axes.text(j, i, str(value), ha="center", va="center")
    axes.set(
        xticks=range(len(classes)), yticks=range(len(classes)), xlabel="predicted", ylabel="true"
    )
    axes.set_xticklabels(classes)
    axes.set_yticklabels(classes)
    _save(figure, path)


def plot_importance(path: Path, values: npt.NDArray[np.float64], names: Sequence[str]) -> None:
    """Feature importances (mean over folds), largest first."""
    order = np.argsort(values)[::-1][:20]
    figure, axes = plt.subplots(figsize=(5, 0.25 * len(order) + 1))
    axes.barh([names[i] for i in order][::-1], values[order][::-1])
    axes.set(xlabel="importance")
    _save(figure, path)


def write_report(
    folder: Path,
    aggregates: Mapping[str, Mapping[str, Mapping[str, float]]],
    audit: Mapping[str, Any],
    facts: Mapping[str, Any],
) -> Path:
    """Write ``report.md`` in ``folder``; returns its path."""
    leaking = audit.get("leaking_groups") or []
    duplicates = audit.get("near_duplicates") or []
    verdict = (
        "no group is validated in two folds"
        if not leaking
        else f"LEAK: groups in two folds: {', '.join(map(str, leaking))}"
    )
    lines = [
        "# Video classification report",
        "",
        f"{facts['rows']} clips from {facts['groups']} original videos, classes "
        f"{', '.join(facts['classes'])}; {facts['folds']} folds grouped by original video "
        "(StratifiedGroupKFold), so no augmented copy of a validation video is trained on.",
        "",
        markdown_table(aggregates),
        "## Leakage audit",
        "",
        f"- {verdict}",
        f"- near-duplicate clips validated in different folds: {len(duplicates)}",
        "- details: `leakage_audit.json`",
        "",
        "## Plots",
        "",
    ]
    for model in aggregates:
        lines.append(f"- {model}: `{model}/plots/roc.png`, `{model}/plots/confusion.png`")
    path = folder / "report.md"
    write_text(path, "\n".join(lines) + "\n")
    return path
