"""Sampling frames by time: the frame nearest each tick of a regular clock.

Ticks fall at ``k / sample_fps`` seconds from the stream's start (an absolute grid, so a
read that starts after a seek picks the same frames as a read from the start). Each frame
belongs to its nearest tick; of the frames of one tick the nearest wins. So every sample is
within half a sample period of its tick, no frame is used twice, and a tick with no frame
in its half-period window (a 1 fps stretch sampled at 10 fps) is counted as a gap. Ticks
before the first frame of a read from the start are no gap: the video has not begun (an AVI
with B-frames shows its first picture 0.2 s after its start).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def nearest_tick(seconds: float, sample_fps: float) -> int:
    """The tick of a ``sample_fps`` clock nearest ``seconds`` (halves go to the earlier one)."""
    return math.ceil(seconds * sample_fps - 0.5)


@dataclass(frozen=True, slots=True)
class Sample(Generic[T]):
    """A chosen item and the tick it stands for."""

    tick: int
    seconds: float
    item: T


class TimeSampler(Generic[T]):
    """Streaming nearest-to-tick selection; feed items in time order with :meth:`update`.

    ``first_tick`` is the first tick served (earlier items are skipped, later ticks with no
    item are gaps); ``None`` serves from the first item's tick.

    Example:
        >>> s = TimeSampler[str](sample_fps=10)
        >>> [x.item for t, n in [(0.0, "a"), (0.04, "b"), (0.09, "c")] for x in s.update(t, n)]
        ['a']
        >>> [x.item for x in s.flush()]
        ['c']
    """

    def __init__(self, sample_fps: float, *, first_tick: int | None = 0) -> None:
        if not math.isfinite(sample_fps) or sample_fps <= 0:
            raise ValueError(f"sample_fps must be a positive number, got {sample_fps}")
        self.sample_fps = sample_fps
        self.period = 1.0 / sample_fps
        self.gaps = 0
        self.skipped = 0
        self._next_tick = first_tick  # None: the first item's tick
        self._best: Sample[T] | None = None
        self._best_distance = math.inf

    def tick_of(self, seconds: float) -> int:
        """The tick nearest ``seconds`` (halves go to the earlier tick)."""
        return nearest_tick(seconds, self.sample_fps)

    def update(self, seconds: float, item: T) -> list[Sample[T]]:
        """Offer the next item; returns the samples that became final (zero or one)."""
        tick = self.tick_of(seconds)
        if self._next_tick is None:
            self._next_tick = tick
        if tick < self._next_tick:
            # Before the first tick we serve, or time went backwards: not ours to keep.
            self.skipped += 1
            return []
        emitted: list[Sample[T]] = []
        if self._best is not None and tick != self._best.tick:
            emitted.append(self._take())
        if self._best is None and tick > self._next_tick:
            self.gaps += tick - self._next_tick
            self._next_tick = tick
        distance = abs(seconds - tick * self.period)
        if self._best is None:
            self._best, self._best_distance = Sample(tick, seconds, item), distance
        elif distance < self._best_distance:
            self.skipped += 1
            self._best, self._best_distance = Sample(tick, seconds, item), distance
        else:
            self.skipped += 1
        return emitted

    def flush(self) -> list[Sample[T]]:
        """End of stream: release the pending sample, if any."""
        return [self._take()] if self._best is not None else []

    def _take(self) -> Sample[T]:
        assert self._best is not None
        sample = self._best
        self._best, self._best_distance = None, math.inf
        self._next_tick = sample.tick + 1
        return sample
