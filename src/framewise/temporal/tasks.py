"""Task segments from the frames a ``task_classifier`` stage tagged: the rule of W2's events.

The stage (:mod:`framewise.detectors.task_classifier`) tags each frame ``task:<label>`` with
the smoothed confidence once it has predicted, and marks the frames a new prediction was
made on. :class:`TaskSpans` feeds those predictions to
:class:`~framewise.features.task_live.TaskSegments` and turns every closed span into a
``task_segment`` record (label, start, end, mean confidence), the same spans
``framewise features predict`` finds. A span still open when the input ends is closed at the
last frame.

It is a frame rule of :class:`~framewise.temporal.engine.EventEngine`: it sees each frame's
whole result (tags and features, not only boxes), and tells the engine from when its open
span may still report, so records leave in time order.

Example:
    >>> spans = TaskSpans()
    >>> spans.update(0.0, FrameOutput.empty())
    []
"""

from __future__ import annotations

from framewise.core.results import FrameOutput
from framewise.detectors.task_classifier import NEW_PREDICTION, WINDOW_SEC, task_label
from framewise.features.task_live import TaskPrediction, TaskSegment, TaskSegments
from framewise.temporal.state_machine import EventRecord

SEGMENT = "task_segment"
"""The record type of a closed span."""


def segment_record(segment: TaskSegment, shown: float, number: int) -> EventRecord:
    """The ``task_segment`` record of ``segment``.

    Args:
        segment: The closed span.
        shown: When its first prediction was made (the frame its thumbnail shows).
        number: Its position among the run's segments (the record's track id).
    """
    return EventRecord(
        type=SEGMENT,
        seconds=segment.start,
        confidence=segment.confidence,
        data={
            "label": segment.label,
            "start": round(segment.start, 6),
            "end": round(segment.end, 6),
            "duration_seconds": round(segment.end - segment.start, 6),
            "mean_confidence": round(segment.confidence, 6),
            "predictions": segment.predictions,
        },
        evidence=f"task:{segment.label}",
        track_id=number,
        best_seconds=shown,
    )


class TaskSpans:
    """Tagged frames in time order → ``task_segment`` records (see the module docstring)."""

    def __init__(self) -> None:
        self.segments = TaskSegments()
        self.closed = 0
        self._last: float | None = None

    def update(self, seconds: float, output: FrameOutput) -> list[EventRecord]:
        """Feed one frame's result; the records of the spans it closes."""
        self._last = seconds
        found = task_label(output)
        if found is None or NEW_PREDICTION not in output.feature_names:
            return []
        if output.feature(NEW_PREDICTION) != 1.0:
            return []
        label, confidence = found
        start = seconds - output.feature(WINDOW_SEC)
        shown = self.segments.open_shown()
        prediction = TaskPrediction(seconds, start, label, confidence, label, ())
        return self._records(self.segments.update(prediction), shown)

    def flush(self) -> list[EventRecord]:
        """End of input: the open span, closed at the last frame."""
        shown = self.segments.open_shown()
        return self._records(self.segments.flush(self._last), shown)

    def pending_since(self) -> float | None:
        """The start of the open span: nothing later may leave before it does."""
        return self.segments.open_since()

    def wanted_seconds(self) -> set[float]:
        """The frame the open span's thumbnail will show."""
        shown = self.segments.open_shown()
        return set() if shown is None else {shown}

    def _records(self, closed: list[TaskSegment], shown: float | None) -> list[EventRecord]:
        out = []
        for segment in closed:
            self.closed += 1
            out.append(
                segment_record(segment, segment.start if shown is None else shown, self.closed)
            )
        return out
