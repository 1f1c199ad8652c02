"""Frame schedules: constant rate exactly, variable rate like an OBS recording."""

from __future__ import annotations

from fractions import Fraction

import pytest

from framewise.core.errors import ConfigError
from framewise.synth.timing import constant_schedule, variable_schedule


def test_constant_schedule_counts_and_times() -> None:
    schedule = constant_schedule(10.0, 30.0)
    assert len(schedule) == 300
    assert schedule.time_base == Fraction(1, 30)
    assert schedule.seconds(30) == pytest.approx(1.0)
    assert schedule.duration_seconds == pytest.approx(10.0)
    assert schedule.stored_seconds(1, "matroska") == 0.033
    assert schedule.stored_seconds(2, "matroska") == 0.067


def test_ntsc_rate_is_kept_exact() -> None:
    schedule = constant_schedule(2.0, 29.97)
    assert schedule.rate == Fraction(2997, 100)
    assert len(schedule) == 60


def test_variable_schedule_is_irregular_increasing_and_reproducible() -> None:
    schedule = variable_schedule(60.0, 30.0, seed=5)
    gaps = [b - a for a, b in zip(schedule.pts, schedule.pts[1:], strict=False)]
    assert min(gaps) > 0
    assert len(set(gaps)) > 5
    assert max(gaps) >= 60  # slow stretches or dropped frames
    assert schedule.time_base == Fraction(1, 1000)
    assert schedule.duration_seconds == pytest.approx(60.0, abs=0.2)
    assert 0.5 * 1800 < len(schedule) < 1800
    assert variable_schedule(60.0, 30.0, seed=5) == schedule
    assert variable_schedule(60.0, 30.0, seed=6) != schedule


@pytest.mark.parametrize(("seconds", "fps"), [(0.0, 30.0), (10.0, 0.0), (10.0, 1000.0)])
def test_bad_schedules_are_refused(seconds: float, fps: float) -> None:
    with pytest.raises(ConfigError):
        constant_schedule(seconds, fps)
