"""``framewise train task``: one run, its cross-validation and the pose/objects ablation.

:func:`train_task` picks the trainer (:class:`~framewise.training.tabular.TabularTrainer`
for ``rf`` / ``lightgbm``, :class:`~framewise.training.sequence.SequenceTrainer` for
``lstm``), fits it into the run folder and, when the dataset was built with ``--folds``,
scores the same settings by ``StratifiedGroupKFold`` (macro-F1 mean ± std, into
``metrics.json``). ``ablation`` trains pose-only, objects-only and fused feature sets into
``RUN/ablation/<set>`` and writes ``ablation.json`` and ``ablation.md`` side by side. A set
whose own features carry nothing in the data (objects, when the tables were extracted
without an object model) is not trained: its row says so and the other sets still are.

Example:
    >>> for line in train_task(Path("datasets/d1"), Path("runs/t1"), {"model": "rf"}):
    ...     print(line)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from framewise.core.atomic import write_json, write_text
from framewise.core.errors import ModelError
from framewise.core.jsonfile import read_json
from framewise.datasets.spec import read_dataset_spec
from framewise.datasets.window_files import SPLITS, WindowDataset, read_dataset
from framewise.features.task import FEATURE_GROUPS, PRESENCE_FLAGS
from framewise.features.task_model import aggregate
from framewise.training.base import FitResult
from framewise.training.tabular import TabularTrainer, TaskTrainSettings, feature_columns
from framewise.training.task_report import classification_metrics


def trainer_for(settings: TaskTrainSettings) -> Any:
    """The trainer of ``settings.model``."""
    if settings.model == "lstm":
        from framewise.training.sequence import SequenceTrainer

        return SequenceTrainer(settings)
    return TabularTrainer(settings)


def cross_validate(data: WindowDataset, settings: TaskTrainSettings) -> dict[str, Any] | None:
    """Macro-F1 per ``StratifiedGroupKFold`` fold of the dataset (trees only), or ``None``."""
    folds = data.folds()
    if folds is None or settings.model == "lstm":
        return None
    # Every window once (no balancing duplicates), by its row in windows.parquet.
    rows: dict[int, tuple[Any, int]] = {}
    for split in SPLITS:
        for k, row in enumerate(data.index(split)):
            rows.setdefault(int(row), (data.x[split][k], int(data.y[split][k])))
    order = sorted(rows)
    columns = feature_columns(data, settings.features)
    x = aggregate(np.stack([rows[r][0] for r in order])[:, :, columns], settings.agg)
    y = np.array([rows[r][1] for r in order], np.int64)
    fold = folds[order]
    scores = []
    for k in sorted(set(fold.tolist())):
        estimator = TabularTrainer(settings)._estimator()
        estimator.fit(x[fold != k], y[fold != k])
        predicted = np.asarray(estimator.predict(x[fold == k]), np.int64)
        metrics = classification_metrics(f"fold{k}", y[fold == k], predicted, data.classes)
        scores.append(metrics.values["f1_macro"])
    return {
        "folds": len(scores),
        "f1_macro": scores,
        "f1_macro_mean": float(np.mean(scores)),
        "f1_macro_std": float(np.std(scores)),
    }


def _fit(dataset: Path, run: Path, settings: TaskTrainSettings) -> FitResult:
    result: FitResult = trainer_for(settings).fit(read_dataset_spec(dataset), run)
    return result


def train_task(
    dataset: Path, output: Path, options: Mapping[str, Any], *, ablation: bool = False
) -> Iterator[str]:
    """Train into ``output``; yields one line per thing done (for the CLI)."""
    settings = TaskTrainSettings(**options)
    data = read_dataset(dataset)
    result = _fit(dataset, output, settings)
    values = result.metrics.values
    yield (
        f"{settings.model}: val accuracy {values['accuracy']:.3f}, "
        f"F1 macro {values['f1_macro']:.3f} ({result.seconds:.1f} s) → {result.model}"
    )
    test = read_json(output / "metrics.json", what="metrics", hint="train again")["test"]
    yield f"test: accuracy {test['accuracy']:.3f}, F1 macro {test['f1_macro']:.3f}"
    cv = cross_validate(data, settings)
    if cv is not None:
        metrics = read_json(output / "metrics.json", what="metrics", hint="train again")
        write_json(output / "metrics.json", {**metrics, "cross_validation": cv})
        yield (
            f"{cv['folds']}-fold grouped CV: F1 macro {cv['f1_macro_mean']:.3f} "
            f"± {cv['f1_macro_std']:.3f}"
        )
    if ablation:
        yield from run_ablation(dataset, output, settings)
    yield f"run folder: {output} (metrics.json, confusion_test.png, model.onnx, model.json)"


NOT_TRAINABLE = {
    "pose": "no pose features in the data (nobody was found in the videos)",
    "objects": "no object features in the data (extracted without an object model; "
    "extract with --detector fusion --model M.onnx)",
}
"""Why a feature set is not trained when its own features carry nothing."""


def empty_groups(data: WindowDataset) -> set[str]:
    """Feature groups whose every column is the same in every window of every split.

    The dataset holds z-scored values with a never-seen value as 0, so a group never
    measured (no object model at extraction) is all zeros: a model of it would learn only
    the presence flags it is trained beside, and its row would read as the group's.
    """
    names = list(data.feature_names)
    empty = set()
    for group, features in FEATURE_GROUPS.items():
        columns = [names.index(f) for f in features if f in names]
        values = np.concatenate([data.x[s][:, :, columns].ravel() for s in SPLITS])
        if not columns or values.size == 0 or np.all(values == values[0]):
            empty.add(group)
    return empty


def run_ablation(dataset: Path, output: Path, settings: TaskTrainSettings) -> Iterator[str]:
    """Pose-only, objects-only and fused runs with the same settings; a comparison table."""
    sets = {
        "pose": (*FEATURE_GROUPS["pose"], *PRESENCE_FLAGS),
        "objects": (*FEATURE_GROUPS["objects"], *PRESENCE_FLAGS),
        "fused": None,
    }
    empty = empty_groups(read_dataset(dataset))
    table: dict[str, dict[str, Any]] = {}
    for name, features in sets.items():
        if name in empty:
            table[name] = {"not_trainable": NOT_TRAINABLE[name]}
            continue
        chosen = dataclasses.replace(settings, features=features)
        try:
            _fit(dataset, output / "ablation" / name, chosen)
        except ModelError as error:
            # A set with little signal (no objects in the footage) can leave a model the
            # exporter mis-converts; the parity check refuses it and the table says so.
            table[name] = {"error": error.message}
            continue
        metrics = read_json(
            output / "ablation" / name / "metrics.json", what="metrics", hint="train again"
        )
        table[name] = {
            "val_f1_macro": metrics["val"]["f1_macro"],
            "test_f1_macro": metrics["test"]["f1_macro"],
            "test_accuracy": metrics["test"]["accuracy"],
        }
    write_json(output / "ablation.json", table)
    lines = [
        "| features | val F1 macro | test F1 macro | test accuracy |",
        "|---|---|---|---|",
        *(_row(name, row) for name, row in table.items()),
    ]
    write_text(output / "ablation.md", "\n".join(lines) + "\n")
    yield from lines


def _row(name: str, row: Mapping[str, Any]) -> str:
    """One line of the comparison table."""
    if "not_trainable" in row:
        return f"| {name} | not trainable: {row['not_trainable']} | | |"
    if "error" in row:
        return f"| {name} | refused: {row['error']} | | |"
    return (
        f"| {name} | {row['val_f1_macro']:.3f} | {row['test_f1_macro']:.3f} | "
        f"{row['test_accuracy']:.3f} |"
    )
