"""Active frame sets → episodes: open after N active sets, close after M inactive ones.

Pure and clock-free: :meth:`EpisodeTracker.update` takes each frame set's time and whether
it was active and says when an episode opens (from the first active set of the run that
reached ``min_active``) and when it closes (at the last active set, once ``end_gap``
inactive sets followed it). Pre- and post-roll are the recorder's business.

Example:
    >>> tracker = EpisodeTracker(min_active=2, end_gap=2)
    >>> [tracker.update(t, a) for t, a in [(0, True), (1, True), (2, False), (3, False)]]
    [None, Opened(start=0), None, Closed(start=0, end=1)]
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Opened:
    """An episode opened; ``start`` is its first active time."""

    start: float


@dataclass(frozen=True, slots=True)
class Closed:
    """An episode closed: first and last active times."""

    start: float
    end: float


class EpisodeTracker:
    """Counts active frame sets (see the module docstring).

    Args:
        min_active: Active sets that open an episode (``session_min_active_frames``).
        end_gap: Inactive sets in a row that close it (``session_end_gap_frames``); before
            an episode opens, such a gap also discards the active sets counted so far.
    """

    def __init__(self, min_active: int, end_gap: int) -> None:
        self.min_active = min_active
        self.end_gap = end_gap
        self.open = False
        self._first: float | None = None
        self._last: float | None = None
        self._active = 0
        self._quiet = 0

    @property
    def last_active(self) -> float | None:
        """Time of the latest active set of the current run or episode."""
        return self._last

    def update(self, seconds: float, active: bool) -> Opened | Closed | None:
        """Feed one frame set; returns what happened at it, if anything."""
        if active:
            self._quiet = 0
            if self._first is None:
                self._first = seconds
            self._last = seconds
            self._active += 1
            if not self.open and self._active >= self.min_active:
                self.open = True
                return Opened(self._first)
            return None
        if self._first is None:
            return None
        self._quiet += 1
        if self._quiet < self.end_gap:
            return None
        return self._reset()

    def close(self) -> Closed | None:
        """End of input (or a camera lost): close an open episode now."""
        return self._reset()

    def _reset(self) -> Closed | None:
        closed = (
            Closed(self._first, self._last)
            if self.open and self._first is not None and self._last is not None
            else None
        )
        self.open = False
        self._first = self._last = None
        self._active = self._quiet = 0
        return closed
