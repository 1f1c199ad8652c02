"""The coarse-to-fine plan: keyframe results in, the ticks to decode or repeat out (pure).

A dense run feeds the temporal logic one frame per tick of the ``detection_fps`` clock. A
coarse-to-fine run feeds it the same ticks, but decodes only some of them: the detectors run
on the keyframes first (:class:`CoarseSample`), and :class:`SpanPlanner` marks the span
between two keyframes *dense* when

- the set of classes found differs between them (something appeared or went),
- either shows a class the profile marks dense (short-lived things: kill-feed entries),
- a box moved (no box of its class in the other overlaps it by ``min_box_iou``), or
- they are more than ``max_keyframe_gap_seconds`` apart (a long GOP could hide an event),

and widens each dense span by ``margin_seconds`` on both sides. Ticks in dense spans are
decoded (:class:`DenseRun`); every other tick repeats the results of the nearer keyframe
around it (:class:`Repeat`). Feeding repeats rather than skipping the ticks is the point: the
filters and the state machine count hits, holds and minimum durations in seconds *and* in
sample periods (N hits within N periods), so they must see a tick every period to decide as
they do on a dense stream; over an unchanged span the repeated results are what a dense read
would have found there, by the planner's own test.

The planner is streaming: :meth:`SpanPlanner.add` returns what became final with each
keyframe (a tick is final once no later keyframe can pull it into a dense span), so a long
file never holds more than a few keyframes.

Example:
    >>> plan = SpanPlanner(10.0, StrategyConfig(kind="coarse-to-fine"))  # doctest: +SKIP
    >>> for sample in samples:  # doctest: +SKIP
    ...     for step in plan.add(sample): ...
    >>> plan.finish()  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from framewise.config.pipeline import StrategyConfig
from framewise.core.boxes import pairwise_iou
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput


@dataclass(frozen=True, slots=True)
class CoarseSample:
    """A keyframe and what the detectors found in it."""

    frame: Frame
    output: FrameOutput

    @property
    def seconds(self) -> float:
        """The keyframe's video time."""
        return self.frame.seconds

    @property
    def classes(self) -> frozenset[str]:
        """The classes found in it."""
        return frozenset(self.output.detections.class_name)


@dataclass(frozen=True, slots=True)
class DenseRun:
    """Decode ticks ``first`` to ``stop - 1`` (``stop`` ``None``: to the end of the file)."""

    first: int
    stop: int | None


@dataclass(frozen=True, slots=True)
class Repeat:
    """Tick ``tick`` is not decoded: it gets ``sample``'s results again."""

    tick: int
    sample: CoarseSample


Step = DenseRun | Repeat
"""One thing the runner does next, in tick order."""


def same_boxes(before: CoarseSample, after: CoarseSample, min_iou: float) -> bool:
    """Whether two keyframes show as many boxes of each class, each still in place.

    Every box of ``before`` must overlap a box of the same class in ``after`` by ``min_iou``
    or more (greedy, best overlap first); ``min_iou`` 0 compares the classes only.
    """
    if min_iou <= 0:
        return True
    one, two = before.output.detections, after.output.detections
    if sorted(one.class_name) != sorted(two.class_name):
        return False
    if not len(one):
        return True
    iou = pairwise_iou(one.xyxy, two.xyxy)
    same = np.array(one.class_name)[:, None] == np.array(two.class_name)[None, :]
    iou = np.where(same, iou, -1.0)
    for _ in range(len(one)):
        i, j = np.unravel_index(int(np.argmax(iou)), iou.shape)
        if iou[i, j] < min_iou:
            return False
        iou[i, :], iou[:, j] = -1.0, -1.0
    return True


class SpanPlanner:
    """Keyframe results in time order → :data:`Step` s in tick order.

    Args:
        fps: The ``detection_fps`` clock.
        settings: The pipeline's ``strategy:``.
        first_tick: The first tick to plan (0; after a resume, the one after the last
            journaled frame).
    """

    def __init__(self, fps: float, settings: StrategyConfig, first_tick: int = 0) -> None:
        self.fps = fps
        self.settings = settings
        self.dense_classes = frozenset(settings.dense_classes)
        self.cursor = first_tick
        """The next tick to hand out."""
        self.samples: deque[CoarseSample] = deque()
        self.dense: deque[tuple[float, float]] = deque()
        """Dense spans (seconds, widened by the margin, merged), not yet handed out."""
        self.dense_spans: list[tuple[float, float]] = []
        """Every dense span planned, for the run's figures."""
        self.keyframes = 0

    def is_dense(self, before: CoarseSample, after: CoarseSample) -> bool:
        """Whether the span between two keyframes must be decoded."""
        if after.seconds - before.seconds > self.settings.max_keyframe_gap_seconds:
            return True
        shown = before.classes | after.classes
        if before.classes != after.classes or shown & self.dense_classes:
            return True
        return not same_boxes(before, after, self.settings.min_box_iou)

    def add(self, sample: CoarseSample) -> list[Step]:
        """Take the next keyframe; returns the steps that became final."""
        self.keyframes += 1
        margin = self.settings.margin_seconds
        if self.samples:
            before = self.samples[-1]
            if self.is_dense(before, sample):
                self._mark(before.seconds - margin, sample.seconds + margin)
        elif sample.seconds > self.cursor / self.fps:
            # Ticks before the first keyframe (a file that opens on a partial GOP).
            self._mark(self.cursor / self.fps, sample.seconds + margin)
        self.samples.append(sample)
        # A later keyframe's dense span starts at this one's time minus the margin at the
        # earliest: ticks before that are final.
        return self._release(sample.seconds - margin)

    def finish(self) -> list[Step]:
        """End of the keyframes: the tail after the last one is decoded (under one GOP)."""
        if self.samples:
            self._mark(self.samples[-1].seconds - self.settings.margin_seconds, math.inf)
        else:  # no keyframe at all: decode everything
            self._mark(self.cursor / self.fps, math.inf)
        return self._release(math.inf)

    def _mark(self, start: float, end: float) -> None:
        start = max(start, 0.0)
        if self.dense and start <= self.dense[-1][1]:
            first, last = self.dense[-1]
            self.dense[-1] = (first, max(last, end))
        else:
            self.dense.append((start, end))

    def _release(self, final: float) -> list[Step]:
        """Steps for the ticks before ``final`` seconds, and dense spans ending before it."""
        steps: list[Step] = []
        while True:
            if self.dense and self._tick_of(self.dense[0][0]) <= self.cursor:
                end = self.dense[0][1]
                if end >= final and not math.isinf(final):  # it may still grow: wait
                    break
                self.dense.popleft()
                stop = None if math.isinf(end) else max(self.cursor, math.floor(end * self.fps) + 1)
                if stop is None or stop > self.cursor:
                    steps.append(DenseRun(self.cursor, stop))
                    self.dense_spans.append((self.cursor / self.fps, end))
                if stop is None:
                    self.cursor = 2**62
                    break
                self.cursor = stop
                continue
            limit = self._tick_of(self.dense[0][0]) if self.dense else math.inf
            tick = self.cursor
            if tick >= limit or tick / self.fps >= final:
                break
            sample = self._nearest(tick / self.fps)
            if sample is None:
                break
            steps.append(Repeat(tick, sample))
            self.cursor += 1
        self._forget()
        return steps

    def _tick_of(self, seconds: float) -> int:
        """The first tick at or after ``seconds``."""
        return max(0, math.ceil(seconds * self.fps - 1e-9))

    def _nearest(self, seconds: float) -> CoarseSample | None:
        """The keyframe nearer ``seconds`` of the two around it."""
        before = None
        for sample in self.samples:
            if sample.seconds <= seconds:
                before = sample
                continue
            if before is None or sample.seconds - seconds < seconds - before.seconds:
                return sample
            return before
        return before

    def _forget(self) -> None:
        """Drop keyframes no tick from the cursor on can need (keep the one before it)."""
        now = self.cursor / self.fps
        while len(self.samples) > 1 and self.samples[1].seconds <= now:
            self.samples.popleft()
