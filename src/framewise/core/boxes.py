"""Overlap of ``xyxy`` boxes: the one IoU every layer uses.

Scalar forms take any four numbers ``(x1, y1, x2, y2)``; :func:`pairwise_iou` compares two
arrays of boxes at once. An empty box (zero or negative area) overlaps nothing.

Example:
    >>> iou((0, 0, 10, 10), (5, 0, 15, 10))
    0.3333333333333333
    >>> pairwise_iou(np.array([[0, 0, 10, 10]]), np.array([[5, 0, 15, 10], [20, 20, 30, 30]]))
    array([[0.33333333, 0.        ]])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["best_iou", "intersection", "iou", "overlap_of_smaller", "pairwise_iou"]

BoxLike = Sequence[float] | NDArray[np.floating]
"""Anything indexable as ``x1, y1, x2, y2``."""


def intersection(a: BoxLike, b: BoxLike) -> float:
    """Area shared by two boxes (0 when they do not overlap)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return float(width * height) if width > 0 and height > 0 else 0.0


def iou(a: BoxLike, b: BoxLike) -> float:
    """Intersection over union of two boxes (0 when they do not overlap)."""
    inter = intersection(a, b)
    if inter <= 0:
        return 0.0
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def best_iou(box: BoxLike, others: Iterable[BoxLike]) -> float:
    """The largest IoU of ``box`` with any of ``others`` (0 when there are none)."""
    return max((iou(box, other) for other in others), default=0.0)


def overlap_of_smaller(a: BoxLike, b: BoxLike) -> float:
    """Intersection over the smaller box's area: 1.0 when one box holds the other.

    Example:
        >>> overlap_of_smaller((0, 0, 10, 10), (2, 2, 8, 8))
        1.0
    """
    inter = intersection(a, b)
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    if inter <= 0 or smaller <= 0:
        return 0.0
    return float(inter / smaller)


def pairwise_iou(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """IoU of every box of ``a`` (``N×4``) with every box of ``b`` (``M×4``): ``N×M``."""
    one = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    two = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    low = np.maximum(one[:, None, :2], two[None, :, :2])
    high = np.minimum(one[:, None, 2:], two[None, :, 2:])
    inter = np.prod(np.clip(high - low, 0, None), axis=2)
    area_a = np.prod(one[:, 2:] - one[:, :2], axis=1)
    area_b = np.prod(two[:, 2:] - two[:, :2], axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    result: NDArray[np.float64] = np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)
    return result
