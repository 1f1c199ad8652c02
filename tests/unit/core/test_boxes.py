"""The one IoU: scalar and pairwise forms agree, and empty boxes overlap nothing."""

from __future__ import annotations

import numpy as np
import pytest

from framewise.core.boxes import best_iou, intersection, iou, overlap_of_smaller, pairwise_iou


def test_scalar_forms() -> None:
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(1 / 3)
    assert iou((0, 0, 10, 10), (10, 0, 20, 10)) == 0.0  # touching edges share nothing
    assert iou((0, 0, 0, 10), (0, 0, 0, 10)) == 0.0  # an empty box
    assert intersection((0, 0, 4, 4), (2, 2, 6, 6)) == 4.0
    assert overlap_of_smaller((0, 0, 10, 10), (2, 2, 8, 8)) == 1.0
    assert best_iou((0, 0, 10, 10), [(20, 20, 30, 30), (0, 0, 10, 5)]) == pytest.approx(0.5)
    assert best_iou((0, 0, 10, 10), []) == 0.0


def test_pairwise_equals_scalar() -> None:
    rng = np.random.default_rng(3)
    corners = rng.uniform(0, 100, size=(2, 7, 4))
    a = np.concatenate([np.minimum(corners[0, :, :2], corners[0, :, 2:]),
                        np.maximum(corners[0, :, :2], corners[0, :, 2:])], axis=1)  # fmt: skip
    b = np.concatenate([np.minimum(corners[1, :, :2], corners[1, :, 2:]),
                        np.maximum(corners[1, :, :2], corners[1, :, 2:])], axis=1)  # fmt: skip
    b[0] = a[0]  # one pair identical
    table = pairwise_iou(a, b)
    assert table.shape == (7, 7) and table[0, 0] == pytest.approx(1.0)
    for i in range(7):
        for j in range(7):
            assert table[i, j] == pytest.approx(iou(a[i], b[j]))
    assert pairwise_iou(np.zeros((0, 4)), b).shape == (0, 7)
