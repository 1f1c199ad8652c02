"""Time: presentation timestamps to seconds, wall-clock times, ISO-8601.

Every duration in framewise is in seconds (a float). Frame times come from the container's
PTS × time_base, never from ``index / fps``, so variable-frame-rate files keep true times.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Literal

from framewise.core.errors import ConfigError

StartOrigin = Literal["user", "container", "mtime", "arrival"]


def pts_to_seconds(pts: int, time_base: Fraction, start_pts: int = 0) -> float:
    """Convert a presentation timestamp to seconds from the stream's start.

    Args:
        pts: Presentation timestamp in ``time_base`` units.
        time_base: The stream's time base.
        start_pts: The stream's first PTS (its ``start_time``), subtracted so the first
            frame is at (about) zero even when the container delays the stream.

    Returns:
        Seconds from the stream's start, exact to the time base before float rounding.

    Example:
        >>> pts_to_seconds(2048, Fraction(1, 10240))
        0.2
    """
    return float((pts - start_pts) * time_base)


def seconds_to_pts(seconds: float, time_base: Fraction, start_pts: int = 0) -> int:
    """Convert seconds from the stream's start back to a PTS in ``time_base`` units."""
    return round(Fraction(seconds).limit_denominator(10**9) / time_base) + start_pts


def nearest(times: Sequence[float], seconds: float) -> int | None:
    """Index of the time in sorted ``times`` nearest ``seconds``; ``None`` when ``times`` is empty.

    On a tie the earlier time wins, so a frame shown *until* ``seconds`` is preferred over the
    one shown from just after it.

    Example:
        >>> nearest([0.0, 0.5, 1.0], 0.7)
        1
        >>> nearest([0.0, 1.0], 0.5)
        0
    """
    at = bisect.bisect_left(times, seconds)
    candidates = [i for i in (at - 1, at) if 0 <= i < len(times)]
    if not candidates:
        return None
    return min(candidates, key=lambda i: abs(times[i] - seconds))


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime (naive datetimes are taken to be UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_iso8601(text: str) -> datetime:
    """Parse an ISO-8601 time (``Z`` or an offset; naive means UTC) to aware UTC.

    Raises:
        ConfigError: The text is not an ISO-8601 time.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        return utc(datetime.fromisoformat(value))
    except ValueError:
        raise ConfigError(
            f"not an ISO-8601 time: {text!r}",
            hint="write it like 2026-01-15T18:00:00Z or 2026-01-15T19:00:00+01:00",
        ) from None


def format_iso8601(dt: datetime) -> str:
    """Format an aware datetime as ISO-8601 UTC with a ``Z`` (milliseconds when present).

    Example:
        >>> format_iso8601(datetime(2026, 1, 15, 18, 5, 23, tzinfo=UTC))
        '2026-01-15T18:05:23Z'
    """
    dt = utc(dt)
    if dt.microsecond:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class SessionStart:
    """When a recording started in wall-clock time, and where that came from.

    Attributes:
        time: Aware UTC datetime of the stream's first frame.
        origin: ``user`` (given explicitly), ``container`` (``creation_time`` tag, as OBS
            writes it), ``mtime`` (the file's modification time minus its duration) or
            ``arrival`` (a live source's first frame).
    """

    time: datetime
    origin: StartOrigin

    def wall_time(self, seconds: float) -> datetime:
        """Wall-clock time of a point ``seconds`` into the stream."""
        return self.time + timedelta(seconds=seconds)
