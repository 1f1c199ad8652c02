"""Thread-safe running figures of a live run: latency percentiles and frame rate."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values`` by linear interpolation (``nan`` if empty).

    Example:
        >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
        2.5
    """
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class LatencyMeter:
    """The latest ``window`` latencies (seconds) and a count of all.

    Args:
        window: How many recent values the percentiles cover.
    """

    def __init__(self, window: int = 1000) -> None:
        self._values: deque[float] = deque(maxlen=window)
        self._lock = threading.Lock()
        self.count = 0

    def add(self, seconds: float) -> None:
        """Record one latency."""
        with self._lock:
            self._values.append(seconds)
            self.count += 1

    def values(self) -> list[float]:
        """The recent values, oldest first."""
        with self._lock:
            return list(self._values)

    def summary_ms(self) -> dict[str, float | int | None]:
        """``count``, ``p50``, ``p95``, ``max`` and ``last`` in milliseconds (``None`` if none)."""
        values = self.values()
        if not values:
            return {"count": self.count, "p50": None, "p95": None, "max": None, "last": None}
        return {
            "count": self.count,
            "p50": round(percentile(values, 50) * 1000, 2),
            "p95": round(percentile(values, 95) * 1000, 2),
            "max": round(max(values) * 1000, 2),
            "last": round(values[-1] * 1000, 2),
        }


class RateMeter:
    """Events per second over the last ``window_s`` seconds of the monotonic clock.

    Args:
        window_s: The averaging window.
    """

    def __init__(self, window_s: float = 5.0) -> None:
        self.window_s = window_s
        self._times: deque[float] = deque()
        self._lock = threading.Lock()
        self.last: float | None = None

    def tick(self, now: float | None = None) -> None:
        """Count one occurrence (now, unless given)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._times.append(now)
            self.last = now
            self._trim(now)

    def rate(self, now: float | None = None) -> float:
        """Occurrences per second in the window ending now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._trim(now)
            if len(self._times) < 2:
                return 0.0
            span = max(now - self._times[0], self._times[-1] - self._times[0])
            return (len(self._times) - 1) / span if span > 0 else 0.0

    def _trim(self, now: float) -> None:
        while self._times and self._times[0] < now - self.window_s:
            self._times.popleft()
