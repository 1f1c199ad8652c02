"""Grouped, stratified splits and training-only balancing for windowed datasets.

Groups (videos, or chunks of them) are dealt whole to train / val / test: largest first,
each to the split whose class counts are furthest below their target share, so each
split's class mix comes as close to the whole's as whole groups allow. Folds for
cross-validation come from scikit-learn's ``StratifiedGroupKFold``.

Example:
    >>> import numpy as np
    >>> from framewise.datasets.windows import WindowSpec
    >>> groups = ["a", "a", "b", "c", "d"]
    >>> split = assign_splits(groups, np.array([0, 1, 0, 1, 0]), WindowSpec(), 2)
    >>> sorted(set(split.values())) == ["test", "train", "val"]
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from framewise.core.errors import ConfigError, InputError

if TYPE_CHECKING:
    from framewise.datasets.windows import WindowSpec

SPLITS = ("train", "val", "test")


def assign_splits(
    groups: Sequence[str], y: NDArray[np.int64], spec: WindowSpec, n_classes: int
) -> dict[str, str]:
    """Group → split name (see the module docstring).

    Raises:
        InputError: A split with a ratio above 0 would get no group (too few groups).
    """
    names = sorted(set(groups))
    per_group = {g: np.zeros(n_classes) for g in names}
    for g, label in zip(groups, y, strict=True):
        per_group[g][label] += 1
    ratios = dict(zip(SPLITS, (spec.train_ratio, spec.val_ratio, spec.test_ratio), strict=True))
    wanted = [s for s in SPLITS if ratios[s] > 0]
    if len(names) < len(wanted):
        raise InputError(
            f"{len(names)} group(s) cannot fill {len(wanted)} splits without a group in two",
            subject=", ".join(names),
            hint="give more videos, or cut them into groups with --group-sec",
        )
    total = sum(per_group.values())
    have = {s: np.zeros(n_classes) for s in SPLITS}
    rng = np.random.default_rng(spec.seed)
    order = sorted(names, key=lambda g: (-per_group[g].sum(), rng.random()))
    split_of: dict[str, str] = {}
    for i, group in enumerate(order):
        empty = [s for s in wanted if not have[s].any()]
        left = len(order) - i
        if empty and left <= len(empty):
            choice = empty[0]  # the last groups go where nothing is yet
        else:
            choice = max(
                wanted,
                key=lambda s: (
                    float(np.minimum(ratios[s] * total - have[s], per_group[group]).sum()),
                    float((ratios[s] * total - have[s]).sum()),
                ),
            )
        split_of[group] = choice
        have[choice] += per_group[group]
    return split_of


def assign_folds(
    groups: Sequence[str], y: NDArray[np.int64], folds: int, seed: int
) -> NDArray[np.int64]:
    """The fold of each window, by ``StratifiedGroupKFold`` on its group.

    Raises:
        ConfigError: scikit-learn is missing or there are fewer groups than folds.
    """
    try:
        from sklearn.model_selection import StratifiedGroupKFold
    except ImportError:
        raise ConfigError(
            "--folds needs scikit-learn, which is not installed",
            subject="--folds",
            hint="pip install 'framewise[task]'",
        ) from None
    if len(set(groups)) < folds:
        raise ConfigError(
            f"{len(set(groups))} groups cannot make {folds} folds",
            subject="--folds",
            hint="use fewer folds or cut videos into groups with --group-sec",
        )
    splitter: Any = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    fold = np.zeros(len(y), np.int64)
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(y)), y, np.asarray(groups))):
        fold[test] = k
    return fold


def balance(
    rows: NDArray[np.int64], y: NDArray[np.int64], how: str, rng: np.random.Generator
) -> NDArray[np.int64]:
    """``rows`` balanced by class: every class cut to the rarest or drawn up to the commonest."""
    if how == "none" or rows.size == 0:
        return rows
    by_class = [rows[y[rows] == c] for c in np.unique(y[rows])]
    sizes = [len(r) for r in by_class]
    if how == "downsample":
        target = min(sizes)
        parts = [rng.choice(r, target, replace=False) for r in by_class]
    else:
        target = max(sizes)
        parts = [
            np.concatenate([r, rng.choice(r, target - len(r), replace=True)]) for r in by_class
        ]
    return np.sort(np.concatenate(parts)).astype(np.int64)
