from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction

import pytest

from framewise.core.errors import ConfigError
from framewise.core.time import (
    SessionStart,
    format_iso8601,
    parse_iso8601,
    pts_to_seconds,
    seconds_to_pts,
)


@pytest.mark.parametrize(
    ("pts", "time_base", "start", "expected"),
    [
        (0, Fraction(1, 10240), 0, 0.0),
        (2048, Fraction(1, 10240), 0, 0.2),
        (25800, Fraction(1, 24000), 25800, 0.0),  # a delayed stream starts at zero
        (90090, Fraction(1, 24000), 0, 3.75375),  # 1001-tick frames of 23.976 fps
        (135000, Fraction(1, 90000), 0, 1.5),
    ],
)
def test_pts_to_seconds(pts: int, time_base: Fraction, start: int, expected: float) -> None:
    assert pts_to_seconds(pts, time_base, start) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seconds", [0.0, 0.1, 3.75375, 8.75875, 3600.5])
def test_seconds_to_pts_round_trips(seconds: float) -> None:
    time_base = Fraction(1, 24000)
    pts = seconds_to_pts(seconds, time_base, 1000)
    assert pts_to_seconds(pts, time_base, 1000) == pytest.approx(seconds, abs=1 / 24000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15T18:00:00Z", datetime(2026, 1, 15, 18, tzinfo=UTC)),
        ("2026-01-15T19:00:00+01:00", datetime(2026, 1, 15, 18, tzinfo=UTC)),
        ("2026-01-15T18:00:00", datetime(2026, 1, 15, 18, tzinfo=UTC)),
        ("2026-01-15T18:00:00.250000Z", datetime(2026, 1, 15, 18, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_parse_iso8601_gives_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_iso8601(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_parse_iso8601_rejects_garbage_with_a_hint() -> None:
    with pytest.raises(ConfigError, match=r"ISO-8601.*2026-01-15T18:00:00Z"):
        parse_iso8601("yesterday at six")


def test_format_iso8601() -> None:
    plus_one = timezone(timedelta(hours=1))
    assert format_iso8601(datetime(2026, 1, 15, 19, 5, 23, tzinfo=plus_one)) == (
        "2026-01-15T18:05:23Z"
    )
    assert format_iso8601(datetime(2026, 1, 15, 18, 5, 23, 120500, tzinfo=UTC)) == (
        "2026-01-15T18:05:23.120Z"
    )


def test_session_start_wall_time_adds_seconds() -> None:
    start = SessionStart(datetime(2026, 1, 15, 18, tzinfo=UTC), "container")
    assert start.wall_time(323.5) == datetime(2026, 1, 15, 18, 5, 23, 500000, tzinfo=UTC)
