"""The task profile's hooks: how task segments and predictions are said on the live WebSocket.

Events (the run's log) are ``task_segment`` spans; live clients also hear each prediction as
it is made and the confidence of the shown label frame by frame. Messages::

    {"type": "task_prediction", "label": "work", "confidence": 0.93, "t": 12.5,
     "timestamp": 1768500754.2}                       # a prediction was made on this frame
    {"type": "task_confidence", "label": "work", "confidence": 0.93, "t": 12.6,
     "timestamp": 1768500754.3}                       # every frame once one was made
    {"type": "task_segment", "timestamp": ..., "confidence": 0.91,
     "data": {"label", "start", "end", "duration_seconds", "mean_confidence", "predictions"}}

``t`` is video seconds (presentation time; on a live source, since the stream opened) and
``timestamp`` wall-clock epoch seconds, as for every other message. ``label`` and
``confidence`` are the smoothed, hysteresis-held values the stage tagged the frame with.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from framewise.core.events import Event
from framewise.core.results import FrameOutput
from framewise.detectors.task_classifier import NEW_PREDICTION, task_label
from framewise.profiles.base import GenericHooks
from framewise.profiles.base import Tally as TallyProtocol

PREDICTION = "task_prediction"
CONFIDENCE = "task_confidence"
SEGMENT = "task_segment"

EVENT_FIELDS: Mapping[str, tuple[str, ...]] = {
    SEGMENT: ("label", "start", "end", "mean_confidence"),
}
"""The data fields of each event type (the fields of a reviewer's new-event form)."""


def frame_messages(
    seconds: float, wall_time: datetime, output: FrameOutput
) -> list[dict[str, Any]]:
    """The messages of one frame's result (see the module docstring); none before a prediction."""
    found = task_label(output)
    if found is None:
        return []
    label, confidence = found
    body = {
        "label": label,
        "confidence": round(confidence, 6),
        "t": round(seconds, 6),
        "timestamp": wall_time.timestamp(),
    }
    made = NEW_PREDICTION in output.feature_names and output.feature(NEW_PREDICTION) == 1.0
    messages = [{"type": PREDICTION, **body}] if made else []
    messages.append({"type": CONFIDENCE, **body})
    return messages


class TaskTally:
    """What an overlay shows: the task now, its confidence, and how many segments ended."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.confidence: float | None = None
        self.predictions = 0
        self.segments: dict[str, int] = {}

    def add(self, message: Mapping[str, Any]) -> None:
        """Fold one message in."""
        kind = message.get("type")
        if kind in (PREDICTION, CONFIDENCE):
            self.label = str(message["label"])
            self.confidence = float(message["confidence"])
            self.predictions += kind == PREDICTION
        elif kind == SEGMENT:
            label = str(message["data"]["label"])
            self.segments[label] = self.segments.get(label, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        """``task``, ``confidence``, ``predictions`` and segments ended per label."""
        return {
            "task": self.label,
            "confidence": self.confidence,
            "predictions": self.predictions,
            "segments": dict(sorted(self.segments.items())),
        }


class TaskHooks:
    """Task segments sent as events, predictions and confidences as frame messages."""

    event_fields: Mapping[str, tuple[str, ...]] = EVENT_FIELDS

    def __init__(self) -> None:
        self._generic = GenericHooks()

    def message(self, event: Event, evidence: str) -> dict[str, Any] | None:
        """``task_segment`` (and any other event) in the generic shape; anomalies not sent."""
        return self._generic.message(event, evidence)

    def frame_messages(
        self, seconds: float, wall_time: datetime, output: FrameOutput
    ) -> list[dict[str, Any]]:
        """See :func:`frame_messages`."""
        return frame_messages(seconds, wall_time, output)

    def new_tally(self) -> TallyProtocol:
        """A :class:`TaskTally`."""
        return TaskTally()


HOOKS = TaskHooks()
