"""Stage 5: grouped folds never split a group, the report's files, NaN fails loudly."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import KFold

from framewise.core.errors import ConfigError, ModelError
from framewise.datasets.folds import Fold, grouped_folds, leakage_audit
from framewise.datasets.spec import read_dataset_spec
from framewise.features.handcrafted import HANDCRAFTED
from framewise.features.scaled import SCALED
from framewise.pipeline.stages import TableContext
from framewise.pipeline.stages.params import TrainParams
from framewise.pipeline.stages.video_io import Mp4Writer
from framewise.training.classify import score_fold
from framewise.training.classify_stage import TrainStage
from framewise.training.feature_trainer import FeatureTrainer


def _labels_groups(groups: int = 10, copies: int = 4) -> tuple[list[str], list[str]]:
    labels = [("fake" if g % 2 else "real") for g in range(groups) for _ in range(copies)]
    names = [f"video{g}" for g in range(groups) for _ in range(copies)]
    return labels, names


def test_no_group_is_in_two_folds() -> None:
    labels, groups = _labels_groups()
    folds = grouped_folds(labels, groups, 5, seed=3)
    assert sorted(np.concatenate([f.val for f in folds]).tolist()) == list(range(40))
    for fold in folds:
        train_groups = {groups[i] for i in fold.train}
        val_groups = {groups[i] for i in fold.val}
        assert not train_groups & val_groups
        assert {labels[i] for i in fold.val} == {"fake", "real"}
    audit = leakage_audit([str(i) for i in range(40)], groups, folds)
    assert audit["clean"] and all(len(v) == 1 for v in audit["groups"].values())  # type: ignore[attr-defined]


def test_the_audit_catches_row_wise_folds_and_duplicates() -> None:
    labels, groups = _labels_groups()
    rowwise = [
        Fold(n, train.astype(np.int64), val.astype(np.int64))
        for n, (train, val) in enumerate(KFold(5, shuffle=True, random_state=0).split(labels))
    ]
    features = np.repeat(np.random.default_rng(0).normal(size=(10, 6)), 4, axis=0)
    audit = leakage_audit([str(i) for i in range(40)], groups, rowwise, features)
    assert not audit["clean"] and audit["leaking_groups"]
    assert audit["near_duplicates"]  # identical copies validated in other folds


def test_too_few_groups_for_the_folds_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="fewer than the 5 folds"):
        grouped_folds(["a", "a", "b", "b"], ["1", "2", "3", "4"], 5)


def test_a_nan_or_undefined_metric_fails_the_fold_loudly() -> None:
    truth = np.asarray([0, 1, 0, 1], dtype=np.int64)
    with pytest.raises(ModelError, match="svm fold 2"):
        score_fold(
            truth, np.asarray([0.1, np.nan, 0.2, 0.9]), truth, ["a", "b"], where="svm fold 2"
        )
    one_class = np.zeros(4, dtype=np.int64)
    with pytest.raises(ModelError, match="ROC AUC is undefined"):
        score_fold(one_class, np.asarray([0.1, 0.2, 0.3, 0.4]), one_class, ["a", "b"], where="x")


def _tables(separable: float) -> dict[str, list[dict[str, object]]]:
    labels, groups = _labels_groups()
    rng = np.random.default_rng(1)
    stage2, stage4 = [], []
    for i, (label, group) in enumerate(zip(labels, groups, strict=True)):
        shift = separable if label == "fake" else 0.0
        key = f"{group}#aug{i % 4}"
        hand = (rng.normal(size=len(HANDCRAFTED)) + shift).tolist()
        scaled = (rng.normal(size=len(SCALED)) + shift).tolist()
        base = {"key": key, "label": label, "group": group, "error": None}
        stage2.append({**base, "hand_features": hand})
        stage4.append({**base, "scaled_features": scaled})
    return {"02_features": stage2, "04_scaled": stage4}


def test_train_stage_writes_metrics_plots_report_and_audit(tmp_path: Path) -> None:
    params = TrainParams(
        folds=5, models=("logistic_regression_stage2", "svm_stage2_stage4", "gradient_boosting")
    )
    rows = TrainStage(params).run_table(_tables(2.0), TableContext(tmp_path, tmp_path, 0))
    assert len(rows) == 3 * 6
    means = {row["model"]: row for row in rows if row["fold"] == -1}
    assert all(float(row["accuracy"]) > 0.8 for row in means.values())
    fold = json.loads((tmp_path / "svm_stage2_stage4" / "fold_3" / "metrics.json").read_text())
    assert set(fold) >= {"accuracy", "f1", "roc_auc", "confusion_matrix"}
    assert sum(map(sum, fold["confusion_matrix"])) == fold["samples"] == 8
    aggregate = json.loads((tmp_path / "gradient_boosting" / "metrics.json").read_text())
    assert set(aggregate["roc_auc"]) == {"mean", "std"}
    for name in ("roc.png", "confusion.png", "importance.png"):
        assert (tmp_path / "gradient_boosting" / "plots" / name).read_bytes()[:4] == b"\x89PNG"
    fold_dir = tmp_path / "logistic_regression_stage2" / "fold_0"
    assert (fold_dir / "model.joblib").stat().st_size
    # The fold is a tabular dataset: the trainer protocol fits it again to the same scores.
    trainer = FeatureTrainer("logistic_regression_stage2")
    result = trainer.fit(read_dataset_spec(fold_dir), tmp_path / "again")
    saved = json.loads((fold_dir / "metrics.json").read_text())
    assert result.metrics.values["accuracy"] == saved["accuracy"]
    assert result.model == tmp_path / "again" / "model.joblib"
    report = (tmp_path / "report.md").read_text()
    assert "| svm_stage2_stage4 |" in report and "no group is validated in two folds" in report
    assert json.loads((tmp_path / "leakage_audit.json").read_text())["clean"] is True


def test_tiny_3d_cnn_trains_on_20_clips(tmp_path: Path) -> None:
    labels, groups = _labels_groups(groups=10, copies=2)
    rows = []
    rng = np.random.default_rng(0)
    for i, (label, group) in enumerate(zip(labels, groups, strict=True)):
        path = tmp_path / f"clip{i}.mp4"
        level = 200 if label == "fake" else 40
        with Mp4Writer(path, Fraction(10)) as writer:
            for t in range(8):
                frame = rng.integers(0, 30, (32, 32, 3)) + level
                frame[:, (t * 4) % 32 : (t * 4) % 32 + 4] = 255 - level
                writer.write(np.clip(frame, 0, 255).astype(np.uint8))
        rows.append(
            {
                "key": f"c{i:02d}",
                "label": label,
                "group": group,
                "path": str(path),
                "hand_features": [0.0] * len(HANDCRAFTED),
            }
        )
    params = TrainParams(folds=2, models=("cnn3d_tiny",), epochs=3, clip_frames=4, clip_size=16)
    out = TrainStage(params).run_table({"s": rows}, TableContext(tmp_path, tmp_path, 0))
    mean = next(row for row in out if row["fold"] == -1)
    assert float(mean["accuracy"]) >= 0.5
    assert (tmp_path / "cnn3d_tiny" / "fold_1" / "model.pt").stat().st_size > 1000
