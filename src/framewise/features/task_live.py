"""Task predictions over time: a rolling window in seconds, smoothing, hysteresis, segments.

:class:`TaskPredictor` keeps the last ``window_sec`` seconds of per-frame feature vectors
(by presentation time), and every ``step_sec`` seconds resamples them onto the model's
``steps`` instants exactly as the dataset builder did, asks the ONNX model, smooths the
class probabilities (``ema`` or ``median`` over the last few) and changes its label only
when the new one has led for ``hold`` predictions in a row (hysteresis). The first
prediction comes once a whole window has been seen. :class:`TaskSegments` turns the
predictions into ``task_segment`` spans (label, start, end, mean confidence).

The same frames give the same predictions whether they come from a file or a live replay:
nothing here looks at the wall clock.

Example:
    >>> predictor = TaskPredictor(OnnxTaskModel.load(Path("runs/t1")))  # doctest: +SKIP
    >>> prediction = predictor.update(frame.seconds, features.vector())  # doctest: +SKIP
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from framewise.features.task_model import OnnxTaskModel

Smoothing = Literal["ema", "median"]


def resample_window(
    t: NDArray[np.float64], x: NDArray[np.float32], t0: float, t1: float, steps: int
) -> NDArray[np.float32]:
    """Rows of ``x`` (times ``t``) nearest to ``steps`` evenly spaced instants of ``[t0, t1)``."""
    times = t0 + (np.arange(steps) + 0.5) * (t1 - t0) / steps
    nearest = np.abs(t[None, :] - times[:, None]).argmin(axis=1)
    return np.asarray(x[nearest], np.float32)


@dataclass(frozen=True)
class TaskPrediction:
    """One prediction: the window ``[start, seconds)`` and what it was judged to show.

    Attributes:
        seconds: End of the window (the frame that triggered the prediction).
        start: Start of the window.
        label: The smoothed label after hysteresis.
        confidence: The smoothed probability of ``label``.
        raw_label: The model's own top class for this window alone.
        probabilities: Smoothed probability per class.
    """

    seconds: float
    start: float
    label: str
    confidence: float
    raw_label: str
    probabilities: tuple[float, ...]


@dataclass
class TaskPredictor:
    """See the module docstring.

    Args:
        model: The served model (its card gives window, step and steps).
        smoothing: ``ema`` (``alpha`` weight on the newest) or ``median`` (of the last
            ``median_of`` predictions).
        alpha: EMA weight of the newest prediction.
        median_of: Predictions the median takes.
        hold: Predictions in a row a new label must lead before it is shown.
    """

    model: OnnxTaskModel
    smoothing: Smoothing = "ema"
    alpha: float = 0.5
    median_of: int = 5
    hold: int = 2
    _t: deque[float] = field(default_factory=deque)
    _x: deque[NDArray[np.float32]] = field(default_factory=deque)
    _recent: deque[NDArray[np.float32]] = field(default_factory=deque)
    _smoothed: NDArray[np.float32] | None = None
    _label: int | None = None
    _challenger: int | None = None
    _lead: int = 0
    _next: float | None = None

    def update(self, seconds: float, vector: NDArray[np.float32]) -> TaskPrediction | None:
        """Add one frame's feature vector; a prediction when a step is due, else ``None``."""
        card = self.model.card
        self._t.append(seconds)
        self._x.append(np.asarray(vector, np.float32))
        while self._t and self._t[0] < seconds - card.window_sec - 1e-9:
            self._t.popleft()
            self._x.popleft()
        if self._next is None:
            self._next = self._t[0] + card.window_sec
        if seconds + 1e-9 < self._next:
            return None
        self._next += card.step_sec * max(
            1, int((seconds + 1e-9 - self._next) // card.step_sec) + 1
        )
        t1 = seconds + 1e-9
        t0 = t1 - card.window_sec
        t = np.fromiter(self._t, np.float64)
        keep = t >= t0
        window = resample_window(t[keep], np.stack(self._x)[keep], t0, t1, card.steps)
        raw = self.model.predict_proba(window[None])[0]
        return self._decide(seconds, max(float(t[0]), seconds - card.window_sec), raw)

    def _decide(self, seconds: float, start: float, raw: NDArray[np.float32]) -> TaskPrediction:
        if self.smoothing == "ema":
            previous = raw if self._smoothed is None else self._smoothed
            self._smoothed = (self.alpha * raw + (1 - self.alpha) * previous).astype(np.float32)
        else:
            self._recent.append(raw)
            while len(self._recent) > self.median_of:
                self._recent.popleft()
            self._smoothed = np.median(np.stack(self._recent), axis=0).astype(np.float32)
        smoothed = self._smoothed
        top = int(smoothed.argmax())
        if self._label is None:
            self._label = top
        elif top != self._label:
            self._lead = self._lead + 1 if top == self._challenger else 1
            self._challenger = top
            if self._lead >= self.hold:
                self._label, self._challenger, self._lead = top, None, 0
        else:
            self._challenger, self._lead = None, 0
        classes = self.model.card.classes
        return TaskPrediction(
            seconds,
            start,
            classes[self._label],
            float(smoothed[self._label]),
            classes[int(raw.argmax())],
            tuple(float(p) for p in smoothed),
        )


@dataclass(frozen=True)
class TaskSegment:
    """A span during which one task label held."""

    label: str
    start: float
    end: float
    confidence: float
    predictions: int


@dataclass
class TaskSegments:
    """Predictions in time order → segments; :meth:`flush` closes the last one.

    The first segment starts where its first window started; each later one starts where
    the one before ended (the moment the change was decided).
    """

    _open: list[TaskPrediction] = field(default_factory=list)
    _boundary: float | None = None

    def update(self, prediction: TaskPrediction) -> list[TaskSegment]:
        """The segment this prediction closes (its label changed), if any."""
        closed = []
        if self._open and prediction.label != self._open[-1].label:
            closed.append(self._close(prediction.seconds))
        self._open.append(prediction)
        return closed

    def open_since(self) -> float | None:
        """Where the open segment starts (``None``: none is open)."""
        if not self._open:
            return None
        return self._open[0].start if self._boundary is None else self._boundary

    def open_shown(self) -> float | None:
        """The time of the open segment's first prediction (``None``: none is open)."""
        return self._open[0].seconds if self._open else None

    def flush(self, end: float | None = None) -> list[TaskSegment]:
        """Close the open segment at ``end`` (default: its last prediction)."""
        if not self._open:
            return []
        return [self._close(end if end is not None else self._open[-1].seconds)]

    def _close(self, end: float) -> TaskSegment:
        span = self._open
        start = span[0].start if self._boundary is None else self._boundary
        segment = TaskSegment(
            span[0].label,
            start,
            end,
            float(np.mean([p.confidence for p in span])),
            len(span),
        )
        self._open, self._boundary = [], end
        return segment
