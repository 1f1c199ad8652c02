"""``core.time.nearest``: the one "nearest time in a sorted list" every module uses."""

from __future__ import annotations

import bisect
import random

import pytest

from framewise.core.time import nearest


@pytest.mark.parametrize(
    ("times", "seconds", "expected"),
    [
        ([], 1.0, None),
        ([2.0], -5.0, 0),
        ([2.0], 9.0, 0),
        ([0.0, 0.5, 1.0], 0.7, 1),
        ([0.0, 0.5, 1.0], 0.8, 2),
        ([0.0, 1.0], 0.5, 0),  # a tie goes to the earlier frame
        ([0.0, 1.0, 1.0, 2.0], 1.0, 1),  # an exact hit, first of equals
        ([0.0, 1.0], 7.0, 1),
    ],
)
def test_nearest_index(times: list[float], seconds: float, expected: int | None) -> None:
    assert nearest(times, seconds) == expected


def test_nearest_agrees_with_a_full_scan() -> None:
    rng = random.Random(4)
    for _ in range(300):
        times = sorted(rng.uniform(0, 100) for _ in range(rng.randint(1, 40)))
        seconds = rng.uniform(-10, 110)
        found = nearest(times, seconds)
        assert found is not None
        best = min(abs(t - seconds) for t in times)
        assert abs(times[found] - seconds) == best
        # On equal distances the earlier index wins.
        assert found == min(i for i, t in enumerate(times) if abs(t - seconds) == best)
        assert bisect.bisect_left(times, seconds) in (found, found + 1)
