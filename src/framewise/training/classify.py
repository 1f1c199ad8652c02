"""Feature classifiers of workflow W4 and the scores of one fold.

Models are scikit-learn pipelines (standardise, then classify) built from a registry::

    logistic_regression_*   LogisticRegression (balanced classes)
    svm_*                   SVC with an RBF kernel (balanced classes)
    gradient_boosting       GradientBoostingClassifier (no scaling needed; kept for symmetry)

A fold's :class:`FoldScores` hold accuracy, F1 (macro), ROC AUC and the confusion matrix;
a score that is not a finite number raises :class:`~framewise.core.errors.ModelError`
naming the model and fold, where the original reported NaN and went on.

Example:
    >>> model = make_model("svm_stage2")  # doctest: +SKIP
    >>> fitted = model.fit(x, y)  # doctest: +SKIP
    >>> guess, values = fitted.predict(xv), decision(fitted, xv)  # doctest: +SKIP
    >>> scores = score_fold(guess, values, yv, names, where="fold 0")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from framewise.core.errors import ModelError

F64 = npt.NDArray[np.float64]


def _logistic(seed: int) -> Pipeline:
    return make_pipeline(
        StandardScaler(),
        LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed),
    )


def _svm(seed: int) -> Pipeline:
    return make_pipeline(
        StandardScaler(), SVC(kernel="rbf", class_weight="balanced", random_state=seed)
    )


def _boosting(seed: int) -> Pipeline:
    return make_pipeline(
        StandardScaler(), GradientBoostingClassifier(n_estimators=100, random_state=seed)
    )


FEATURE_MODELS: Mapping[str, tuple[Callable[[int], Pipeline], tuple[str, ...]]] = MappingProxyType(
    {
        "logistic_regression_stage2": (_logistic, ("stage2",)),
        "logistic_regression_stage2_stage4": (_logistic, ("stage2", "stage4")),
        "svm_stage2": (_svm, ("stage2",)),
        "svm_stage2_stage4": (_svm, ("stage2", "stage4")),
        "gradient_boosting": (_boosting, ("stage2", "stage4")),
    }
)
"""Registry: model name → (factory taking the seed, the feature sets it reads)."""


def make_model(name: str, seed: int = 0) -> Pipeline:
    """A fresh, unfitted feature model."""
    return FEATURE_MODELS[name][0](seed)


def decision(model: Pipeline, x: F64) -> F64:
    """Scores for ROC: the positive class's probability or decision value, or one per class."""
    if hasattr(model, "predict_proba"):
        proba: F64 = np.asarray(model.predict_proba(x), dtype=np.float64)
        return proba[:, 1] if proba.shape[1] == 2 else proba
    values: F64 = np.asarray(model.decision_function(x), dtype=np.float64)
    return values


@dataclass(frozen=True)
class FoldScores:
    """Scores of one model on one validation fold."""

    accuracy: float
    f1: float
    roc_auc: float
    confusion: list[list[int]]
    samples: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "accuracy": self.accuracy,
            "f1": self.f1,
            "roc_auc": self.roc_auc,
            "confusion_matrix": self.confusion,
            "samples": self.samples,
        }


def score_fold(
    predicted: npt.NDArray[np.int64],
    scores: F64,
    truth: npt.NDArray[np.int64],
    classes: Sequence[str],
    *,
    where: str,
) -> FoldScores:
    """Accuracy, macro F1, ROC AUC and confusion matrix of one fold.

    Raises:
        ModelError: A score is not finite (e.g. a validation fold with one class has no
            ROC AUC, or the model gave NaN scores); ``where`` names the model and fold.
    """
    labels = list(range(len(classes)))
    present = sorted(set(truth.tolist()))
    if len(present) < 2:
        # scikit-learn would warn and return NaN here: the original's silent NaN fold.
        raise ModelError(
            f"ROC AUC is undefined: the fold validates one class only ({classes[present[0]]})",
            subject=where,
            hint="each validation fold needs every class: use fewer folds or more videos",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)  # NaN is caught below
            if len(classes) == 2:
                auc = float(roc_auc_score(truth, scores))
            else:
                auc = float(roc_auc_score(truth, scores, multi_class="ovr", labels=labels))
    except ValueError as exc:
        raise ModelError(
            f"ROC AUC is undefined ({exc})",
            subject=where,
            hint="check the model's scores and the fold's labels",
        ) from None
    result = FoldScores(
        accuracy=float(accuracy_score(truth, predicted)),
        f1=float(f1_score(truth, predicted, average="macro", labels=labels, zero_division=0)),
        roc_auc=auc,
        confusion=confusion_matrix(truth, predicted, labels=labels).tolist(),
        samples=len(truth),
    )
    bad = [n for n in ("accuracy", "f1", "roc_auc") if not math.isfinite(getattr(result, n))]
    if bad or not np.isfinite(scores).all():
        raise ModelError(
            f"{', '.join(bad) or 'model scores'} not a finite number",
            subject=where,
            hint="the model diverged or its input holds NaN; check the features",
        )
    return result


def aggregate(folds: Sequence[FoldScores]) -> dict[str, dict[str, float]]:
    """Mean and standard deviation of each score over the folds."""
    out: dict[str, dict[str, float]] = {}
    for name in ("accuracy", "f1", "roc_auc"):
        values = np.asarray([getattr(fold, name) for fold in folds], dtype=np.float64)
        out[name] = {"mean": float(values.mean()), "std": float(values.std())}
    return out


def importances(model: Pipeline, count: int) -> F64 | None:
    """Feature importances where the model has them (boosting; |coef| of a linear model)."""
    final = model[-1]
    if hasattr(final, "feature_importances_"):
        found: F64 = np.asarray(final.feature_importances_, dtype=np.float64)
        return found
    coef = getattr(final, "coef_", None)
    if coef is not None and np.asarray(coef).shape[-1] == count:
        weights: F64 = np.abs(np.asarray(coef, dtype=np.float64)).mean(axis=0)
        return weights
    return None
