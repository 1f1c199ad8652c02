"""Folds grouped by original video, and the audit that shows they do not leak.

Augmented copies of one video are near-duplicates of it: a fold that trains on one copy
and validates on another scores memory, not detection (the original's row-wise folds did
exactly that). :func:`grouped_folds` uses scikit-learn's ``StratifiedGroupKFold``: every
group (original video) lands in exactly one validation fold, and classes stay balanced as
far as the groups allow. :func:`leakage_audit` checks it after the fact and also looks for
near-duplicate clips across folds by their feature vectors (same content, other group).

Example:
    >>> labels, groups = ["r", "r", "f", "f"], ["a", "a", "b", "b"]
    >>> folds = grouped_folds(labels, groups, 2, seed=0)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import StratifiedGroupKFold

from framewise.core.errors import ConfigError

Index = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Fold:
    """One fold: row positions to train on and to validate on."""

    number: int
    train: Index
    val: Index


def grouped_folds(
    labels: Sequence[str], groups: Sequence[str], folds: int, *, seed: int = 0
) -> list[Fold]:
    """Stratified folds where no group is split across train and validation.

    Raises:
        ConfigError: Fewer groups of some class than folds (a fold would lack it).
    """
    y = np.asarray(labels)
    g = np.asarray(groups)
    for label in sorted(set(labels)):
        count = len(set(g[y == label]))
        if count < folds:
            raise ConfigError(
                f"class {label!r} has {count} original video(s), fewer than the {folds} folds",
                subject="train.folds",
                hint=f"use folds: {max(2, count)} or add videos of that class",
            )
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    positions = np.zeros(len(y))
    made = [
        Fold(number, train.astype(np.int64), val.astype(np.int64))
        for number, (train, val) in enumerate(splitter.split(positions, y, g))
    ]
    for fold in made:
        # Few groups can leave a fold's training part with one class even when every class
        # has enough groups in all (a group holding both classes); no model fits that.
        seen = sorted(set(y[fold.train].tolist()))
        if len(seen) < 2:
            raise ConfigError(
                f"fold {fold.number} would train on class {seen[0]!r} only: too few original "
                f"videos for {folds} grouped folds",
                subject="train.folds",
                hint="add original videos of every class, or use fewer folds",
            )
    return made


def _near_duplicates(
    keys: Sequence[str],
    fold_of: npt.NDArray[np.int64],
    features: npt.NDArray[np.float64],
    near: float,
    chunk: int = 512,
) -> list[dict[str, object]]:
    """Pairs of rows in different folds whose standardised vectors nearly coincide.

    Distances come a chunk of rows at a time (``|a|² + |b|² − 2a·b``), so memory grows with
    ``chunk × rows``, not ``rows²``: thousands of clips stay cheap.
    """
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    unit = (features - features.mean(axis=0)) / scale / np.sqrt(features.shape[1])
    norms = (unit * unit).sum(axis=1)
    pairs: list[dict[str, object]] = []
    for start in range(0, len(unit), chunk):
        block = unit[start : start + chunk]
        squared = norms[start : start + chunk, None] + norms[None, :] - 2 * block @ unit.T
        distances = np.sqrt(np.maximum(squared, 0.0))
        for row, j in zip(*np.nonzero(distances < near), strict=True):
            i = start + int(row)
            if i < j and fold_of[i] != fold_of[j]:
                pairs.append(
                    {
                        "a": keys[i],
                        "b": keys[j],
                        "fold_a": int(fold_of[i]),
                        "fold_b": int(fold_of[j]),
                        "distance": round(float(distances[row, j]), 6),
                    }
                )
    return pairs


def leakage_audit(
    keys: Sequence[str],
    groups: Sequence[str],
    folds: Sequence[Fold],
    features: npt.NDArray[np.float64] | None = None,
    *,
    near: float = 1e-3,
) -> dict[str, object]:
    """Which folds validate each group, and near-duplicate clips validated in other folds.

    Args:
        keys: Row keys.
        groups: Row groups (original videos).
        folds: The folds.
        features: Row feature vectors, to find near-duplicates (``None``: skip).
        near: Two rows are near-duplicates when the distance of their standardised vectors,
            divided by the vector length's square root, is below this.

    Returns:
        ``{"groups": {group: [fold, ...]}, "leaking_groups": [...], "near_duplicates":
        [{"a", "b", "fold_a", "fold_b", "distance"}], "clean": bool}``.
    """
    fold_of = np.full(len(keys), -1, dtype=np.int64)
    for fold in folds:
        fold_of[fold.val] = fold.number
    by_group: dict[str, set[int]] = {}
    for group, number in zip(groups, fold_of, strict=True):
        by_group.setdefault(str(group), set()).add(int(number))
    leaking = sorted(group for group, numbers in by_group.items() if len(numbers) > 1)
    pairs: list[dict[str, object]] = []
    if features is not None and len(features) > 1:
        pairs = _near_duplicates(keys, fold_of, features, near)
    return {
        "groups": {group: sorted(numbers) for group, numbers in sorted(by_group.items())},
        "leaking_groups": leaking,
        "near_duplicates": pairs,
        "clean": not leaking and not pairs,
    }
