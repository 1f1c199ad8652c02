"""Stage 5, train: k-fold training grouped by original video, per model, with a report.

Reads stage 2's and stage 4's tables (rows joined by key), builds the folds once for every
model (:func:`framewise.datasets.folds.grouped_folds`), writes ``folds.json`` and the
``leakage_audit.json`` beside them, then per model and fold: the fitted model
(``model.joblib`` or ``model.pt``) and ``metrics.json`` (a feature model's fold is also a
tabular dataset: ``train.parquet``, ``val.parquet``, ``dataset.json``, fitted through the
trainer protocol by :class:`~framewise.training.feature_trainer.FeatureTrainer`); per model
the aggregate ``metrics.json`` (mean ± std) and plots; and ``report.md`` comparing the
models. Rows of its table: one per model and fold, and one per model with the means.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from framewise.core.atomic import atomic_open, write_json
from framewise.core.errors import ConfigError
from framewise.datasets.folds import Fold, grouped_folds, leakage_audit
from framewise.features.handcrafted import HANDCRAFTED
from framewise.features.scaled import SCALED
from framewise.pipeline.stages.base import Row, TableContext
from framewise.pipeline.stages.params import TrainParams
from framewise.training.classify import (
    FEATURE_MODELS,
    FoldScores,
    aggregate,
    decision,
    importances,
    score_fold,
)
from framewise.training.classify_report import (
    plot_confusion,
    plot_importance,
    plot_roc,
    write_report,
)
from framewise.training.feature_trainer import FeatureTrainer, write_fold

F64 = npt.NDArray[np.float64]


def _joined(tables: Mapping[str, list[Row]]) -> list[Row]:
    """Rows with both feature vectors (stage 2's and stage 4's), joined by key."""
    by_key: dict[str, Row] = {}
    for rows in tables.values():
        for row in rows:
            by_key.setdefault(str(row["key"]), {}).update(
                {k: v for k, v in row.items() if v is not None}
            )
    joined = [row for _, row in sorted(by_key.items()) if row.get("hand_features") is not None]
    if not joined:
        raise ConfigError(
            "the train stage's inputs hold no rows with hand_features",
            subject="train.inputs",
            hint="list the features stage (and the scaled_features stage) in `inputs:`",
        )
    return joined


def _matrix(rows: list[Row], sets: tuple[str, ...]) -> tuple[F64, list[str]]:
    parts, names = [], []
    if "stage2" in sets:
        parts.append(np.asarray([row["hand_features"] for row in rows], dtype=np.float64))
        names += [f"s2_{n}" for n in HANDCRAFTED]
    if "stage4" in sets:
        if any(row.get("scaled_features") is None for row in rows):
            raise ConfigError(
                "a model on stage 4's features needs the scaled_features stage in `inputs:`",
                subject="train.inputs",
                hint="add the scaled_features stage's name to the train stage's inputs",
            )
        parts.append(np.asarray([row["scaled_features"] for row in rows], dtype=np.float64))
        names += [f"s4_{n}" for n in SCALED]
    return np.concatenate(parts, axis=1), names


class TrainStage:
    """Stage 5 (see the module docstring)."""

    def __init__(self, params: TrainParams) -> None:
        self.params = params

    def run_table(self, tables: Mapping[str, list[Row]], ctx: TableContext) -> list[Row]:
        """Train and score every model on every fold; write the report."""
        rows = _joined(tables)
        classes = sorted({str(row["label"]) for row in rows})
        if len(classes) < 2:
            raise ConfigError(
                f"one class only ({classes[0]!r})", subject="labels", hint="label both classes"
            )
        y = np.asarray([classes.index(str(row["label"])) for row in rows], dtype=np.int64)
        groups = [str(row["group"]) for row in rows]
        keys = [str(row["key"]) for row in rows]
        folds = grouped_folds([classes[i] for i in y], groups, self.params.folds, seed=ctx.seed)
        hand, _ = _matrix(rows, ("stage2",))
        audit = leakage_audit(keys, groups, folds, hand)
        write_json(
            ctx.folder / "folds.json", {f"fold_{f.number}": [keys[i] for i in f.val] for f in folds}
        )
        write_json(ctx.folder / "leakage_audit.json", audit)
        out: list[Row] = []
        aggregates: dict[str, dict[str, dict[str, float]]] = {}
        for model in self.params.models:
            scores = self._model(model, rows, y, classes, folds, ctx)
            aggregates[model] = aggregate(scores)
            write_json(ctx.folder / model / "metrics.json", aggregates[model])
            for number, fold in enumerate(scores):
                out.append(
                    {
                        "key": f"{model}/fold{number}",
                        "model": model,
                        "fold": number,
                        **{k: v for k, v in fold.to_json().items() if k != "confusion_matrix"},
                    }
                )
            out.append(
                {
                    "key": f"{model}/mean",
                    "model": model,
                    "fold": -1,
                    **{s: aggregates[model][s]["mean"] for s in ("accuracy", "f1", "roc_auc")},
                }
            )
        facts = {
            "rows": len(rows),
            "groups": len(set(groups)),
            "classes": classes,
            "folds": len(folds),
        }
        write_report(ctx.folder, aggregates, audit, facts)
        return out

    def _model(
        self,
        model: str,
        rows: list[Row],
        y: npt.NDArray[np.int64],
        classes: list[str],
        folds: list[Fold],
        ctx: TableContext,
    ) -> list[FoldScores]:
        folder = ctx.folder / model
        scores: list[FoldScores] = []
        curves = []
        confusion = np.zeros((len(classes), len(classes)), dtype=np.int64)
        weights: list[F64] = []
        names: list[str] = []
        if model in FEATURE_MODELS:
            x, names = _matrix(rows, FEATURE_MODELS[model][1])
        else:
            x = self._clips(rows, ctx)  # type: ignore[assignment]  # float32 clips
        for fold in folds:
            where = f"{model} fold {fold.number}"
            fold_dir = folder / f"fold_{fold.number}"
            if model in FEATURE_MODELS:
                # Each fold is a tabular dataset on disk, fitted through the trainer protocol.
                spec = write_fold(fold_dir, rows, fold.train.tolist(), fold.val.tolist(), classes)
                trainer = FeatureTrainer(model, ctx.seed)
                trainer.fit(spec, fold_dir)
                fitted = trainer.fitted
                predicted = fitted.predict(x[fold.val])
                values = decision(fitted, x[fold.val])
                found = importances(fitted, x.shape[1])
                if found is not None:
                    weights.append(found)
            else:
                predicted, values = self._network(model, x, y, fold, classes, fold_dir, ctx)
            result = score_fold(predicted, values, y[fold.val], classes, where=where)
            write_json(fold_dir / "metrics.json", result.to_json())
            scores.append(result)
            curves.append((y[fold.val], values))
            confusion += np.asarray(result.confusion, dtype=np.int64)
        plots = folder / "plots"
        plot_roc(plots / "roc.png", curves, model)
        plot_confusion(plots / "confusion.png", confusion, classes)
        if weights:
            plot_importance(plots / "importance.png", np.mean(weights, axis=0), names)
        return scores

    def _clips(self, rows: list[Row], ctx: TableContext) -> npt.NDArray[np.float32]:
        from framewise.training.video_cnn import load_clip

        p = self.params
        clips = [load_clip(ctx.resolve(str(r["path"])), p.clip_frames, p.clip_size) for r in rows]
        return np.stack(clips)  # float32: half the memory of the feature matrices' float64

    def _network(
        self,
        model: str,
        x: F64,
        y: npt.NDArray[np.int64],
        fold: Fold,
        classes: list[str],
        fold_dir: Path,
        ctx: TableContext,
    ) -> tuple[npt.NDArray[np.int64], F64]:
        import torch

        from framewise.training.video_cnn import fit_network, make_network, predict_network

        p = self.params
        clips = x.astype(np.float32, copy=False)
        net = make_network(model, len(classes), p.checkpoint)
        fit_network(
            net,
            clips[fold.train],
            y[fold.train].tolist(),
            epochs=p.epochs,
            batch_size=p.batch_size,
            device=p.device,
            seed=ctx.seed,
        )
        proba = predict_network(net, clips[fold.val], p.device)
        with atomic_open(fold_dir / "model.pt", "wb", encoding=None) as handle:
            torch.save(net.state_dict(), handle)
        predicted = proba.argmax(axis=1).astype(np.int64)
        values = proba[:, 1] if len(classes) == 2 else proba
        return predicted, values
