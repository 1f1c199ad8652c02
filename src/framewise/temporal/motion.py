"""Motion events from the frames a ``motion`` stage marked: the ``motion`` records.

The stage (:mod:`framewise.detectors.motion`) opens an event once motion lasted long enough
and closes it once nothing moved for the post-roll, each time saying how many seconds back the
padded start or end lies. :class:`MotionSpans` turns each closed span into one ``motion``
record (start, end, duration, peak share of the region moving, moving frames) whose thumbnail
is the frame that moved most. An event still open when the input ends is closed at the last
frame.

Example:
    >>> spans = MotionSpans()
    >>> spans.update(0.0, FrameOutput.empty())
    []
"""

from __future__ import annotations

from dataclasses import dataclass

from framewise.core.results import FrameOutput
from framewise.temporal.state_machine import EventRecord

MOTION = "motion"
"""The record type of a motion event."""


@dataclass
class _Span:
    start: float | None = None
    peak: float = -1.0
    peak_seconds: float | None = None
    moving_frames: int = 0
    last_moving: float | None = None


class MotionSpans:
    """Frames marked by a ``motion`` stage → ``motion`` records (see the module)."""

    def __init__(self) -> None:
        self.events = 0
        self._span = _Span()
        self._last: float | None = None
        self._first: float | None = None

    def update(self, seconds: float, output: FrameOutput) -> list[EventRecord]:
        """Feed one frame's result; the record of the event it closes, if any."""
        self._last = seconds
        if self._first is None:
            self._first = seconds
        if "motion_score" not in output.feature_names:
            return []
        span = self._span
        moving = output.feature("motion_moving") == 1.0
        if moving:
            span.moving_frames += 1
            span.last_moving = seconds
            score = output.feature("motion_score")
            if score > span.peak:
                span.peak, span.peak_seconds = score, seconds
        elif span.start is None:
            self._span = _Span()  # a run too short to open an event
        opened = output.feature("motion_open_back")
        if opened >= 0:
            # Offsets are float32: keep the start inside the video and at whole microseconds.
            self._span.start = max(self._first, round(seconds - opened, 6))
        closed = output.feature("motion_close_back")
        if closed >= 0 and self._span.start is not None:
            return [self._record(max(self._span.start, round(seconds - closed, 6)))]
        return []

    def flush(self) -> list[EventRecord]:
        """End of input: the open event, closed at the last frame."""
        if self._span.start is None or self._last is None:
            return []
        return [self._record(self._last)]

    def pending_since(self) -> float | None:
        """The open event's start: nothing later may leave before it does."""
        return self._span.start

    def wanted_seconds(self) -> set[float]:
        """The frame that moved most so far in the open (or opening) event."""
        shown = self._span.peak_seconds
        return set() if shown is None else {shown}

    def _record(self, end: float) -> EventRecord:
        span, self._span = self._span, _Span()
        start = span.start if span.start is not None else end
        self.events += 1
        peak = max(span.peak, 0.0)
        return EventRecord(
            type=MOTION,
            seconds=start,
            confidence=1.0,
            data={
                "start": round(start, 6),
                "end": round(end, 6),
                "duration_seconds": round(end - start, 6),
                "peak_share": round(peak, 6),
                "moving_frames": span.moving_frames,
            },
            evidence=MOTION,
            track_id=self.events,
            best_seconds=span.peak_seconds if span.peak_seconds is not None else start,
        )
