"""Keyed temporal filters measured in seconds: N-hit confirmation, hysteresis, min duration.

Keys are anything hashable — a track id, a class name, ``(class, row)``. Every filter is
pure: it sees only the times and keys it is given, does no I/O, and returns what changed.
Callers pass one ``update`` per sampled frame (with the keys present, possibly none) and
``flush`` at the end of the stream.

Example:
    >>> confirm = ConfirmationFilter[str](hits=3, period_seconds=0.1)
    >>> [confirm.update(t, ["kill"]) for t in (0.0, 0.1, 0.2)]
    [[], [], ['kill']]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

EPSILON = 1e-9
"""Slack for float comparisons of times (0.1 + 0.2 is not 0.3)."""


class ConfirmationFilter(Generic[K]):
    """A key is confirmed after ``hits`` hits that fall within ``hits`` sample periods.

    Each sample stands for one period of time, so ``hits`` consecutive samples span
    ``hits − 1`` periods; the test is that the last ``hits`` hit times span at most
    ``hits − ½`` periods. The half period absorbs timing jitter (variable frame rate,
    live arrival) without letting a missed sample through. Batch mode passes the sampling
    period (``1 / detection_fps``); live mode passes the frame interval.

    Callers that number their samples may pass the number with each hit: hits on ``hits``
    consecutive samples confirm too, however far apart in time. A variable-rate stretch
    below the sampling rate gives samples 133 ms apart at 10 fps, where three in a row span
    267 ms, more than the 250 ms window; they are still three looks in a row, none missed.

    Args:
        hits: Hits needed (1 confirms at once).
        period_seconds: The sample period in seconds.

    Raises:
        ValueError: ``hits`` < 1 or ``period_seconds`` <= 0.
    """

    def __init__(self, hits: int, period_seconds: float) -> None:
        if hits < 1 or period_seconds <= 0:
            raise ValueError("hits must be >= 1 and period_seconds > 0")
        self.hits = hits
        self.period_seconds = period_seconds
        self.window_seconds = (hits - 0.5) * period_seconds
        self._hits: dict[K, deque[tuple[float, int | None]]] = {}
        self._confirmed: set[K] = set()

    def update(self, seconds: float, keys: Iterable[K], sample: int | None = None) -> list[K]:
        """Record a hit for each key at ``seconds``; return the keys confirmed just now.

        Args:
            seconds: Time of the hit.
            keys: The keys hit.
            sample: The number of the sample (frame) the hit is on, if the caller counts them.

        A confirmed key is reported once, until :meth:`forget` is called for it.
        """
        newly: list[K] = []
        for key in keys:
            if key in self._confirmed:
                continue
            hits = self._hits.setdefault(key, deque(maxlen=self.hits))
            hits.append((seconds, sample))
            if len(hits) == self.hits and (self._within(hits) or _consecutive(hits)):
                self._confirmed.add(key)
                del self._hits[key]
                newly.append(key)
        # Hits that can never count again (older than one window, not on the previous
        # sample) are dropped; this bounds memory.
        stale = [k for k, h in self._hits.items() if self._stale(h[-1], seconds, sample)]
        for key in stale:
            del self._hits[key]
        return newly

    def _within(self, hits: deque[tuple[float, int | None]]) -> bool:
        return hits[-1][0] - hits[0][0] <= self.window_seconds + EPSILON

    def _stale(self, last: tuple[float, int | None], seconds: float, sample: int | None) -> bool:
        if seconds - last[0] <= self.window_seconds:
            return False
        return sample is None or last[1] is None or sample - last[1] > 1

    def is_confirmed(self, key: K) -> bool:
        """Whether ``key`` has been confirmed (and not forgotten)."""
        return key in self._confirmed

    def forget(self, key: K) -> None:
        """Drop everything known about ``key`` (its track ended)."""
        self._confirmed.discard(key)
        self._hits.pop(key, None)

    def flush(self) -> list[K]:
        """End of stream: reset, returning the keys that had hits but never confirmed."""
        pending = list(self._hits)
        self._hits.clear()
        self._confirmed.clear()
        return pending


def _consecutive(hits: deque[tuple[float, int | None]]) -> bool:
    """The hits were on consecutive numbered samples."""
    samples = [sample for _, sample in hits if sample is not None]
    if len(samples) < len(hits):
        return False
    return all(b == a + 1 for a, b in pairwise(samples))


@dataclass(frozen=True, slots=True)
class Span(Generic[K]):
    """A key's visible interval: first and last hit times (seconds)."""

    key: K
    start: float
    end: float

    @property
    def duration(self) -> float:
        """Seconds from the first to the last hit."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class HysteresisUpdate(Generic[K]):
    """What one :meth:`HysteresisFilter.update` changed."""

    started: list[K]
    ended: list[Span[K]]


class HysteresisFilter(Generic[K]):
    """A key stays visible until it has been absent for more than ``hold_seconds``.

    So a notification missed in a few frames (motion blur, a flash) stays one span, and the
    span ends at the last hit, not at the time the absence was noticed.

    Args:
        hold_seconds: Longest absence that does not end a span.

    Example:
        >>> hyst = HysteresisFilter[str](hold_seconds=0.5)
        >>> hyst.update(0.0, ["a"]).started, hyst.update(0.3, []).ended
        (['a'], [])
        >>> hyst.update(0.9, []).ended
        [Span(key='a', start=0.0, end=0.0)]
    """

    def __init__(self, hold_seconds: float) -> None:
        if hold_seconds < 0:
            raise ValueError("hold_seconds must be >= 0")
        self.hold_seconds = hold_seconds
        self._first: dict[K, float] = {}
        self._last: dict[K, float] = {}

    def expire(self, seconds: float) -> list[Span[K]]:
        """End the spans whose keys have been absent for more than ``hold_seconds``."""
        gone = [k for k, last in self._last.items() if seconds - last > self.hold_seconds + EPSILON]
        return [self._end(key) for key in gone]

    def update(self, seconds: float, keys: Iterable[K]) -> HysteresisUpdate[K]:
        """Expire stale spans, then mark ``keys`` present at ``seconds``."""
        ended = self.expire(seconds)
        started: list[K] = []
        for key in keys:
            if key not in self._last:
                self._first[key] = seconds
                started.append(key)
            self._last[key] = seconds
        return HysteresisUpdate(started, ended)

    def visible(self, key: K) -> Span[K] | None:
        """The open span of ``key``, if it is visible."""
        if key not in self._last:
            return None
        return Span(key, self._first[key], self._last[key])

    def end(self, key: K) -> Span[K] | None:
        """End ``key``'s span now (its owner knows it ended), if it is visible."""
        return self._end(key) if key in self._last else None

    def flush(self) -> list[Span[K]]:
        """End of stream: end every open span."""
        return [self._end(key) for key in list(self._last)]

    def _end(self, key: K) -> Span[K]:
        return Span(key, self._first.pop(key), self._last.pop(key))


def long_enough(span: Span[K], min_seconds: float) -> bool:
    """Min-duration test: the span lasted at least ``min_seconds`` (first to last hit).

    Example:
        >>> long_enough(Span("a", 1.0, 1.3), 0.3), long_enough(Span("a", 1.0, 1.2), 0.3)
        (True, False)
    """
    return span.duration + EPSILON >= min_seconds
