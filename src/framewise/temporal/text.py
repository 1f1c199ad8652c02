"""Lines of text on screen tracked over time: the ``text_shown`` records of the ``text`` profile.

A ``screen_text`` stage (:mod:`framewise.detectors.screen_text`) gives each sampled frame its
lines of text as ``text`` boxes. :class:`TextSpans` ties a line to the line of the frame before
that sits in about the same place (boxes overlapping by :data:`MIN_IOU`) and reads about the
same (:data:`MIN_SIMILARITY`, so one misread glyph does not split a subtitle) with the same
numbers (a score or counter that changes, ``SCORE: 6`` → ``SCORE: 11``, is a new line), and
closes a line unseen for :data:`MISSES` sampled frames in a row. A line's start and end are the
midpoints between the frames before and after it was seen (the true change lies between two
samples); its text is the reading seen most often.

Example:
    >>> spans = TextSpans()
    >>> spans.update(0.0, FrameOutput.empty())
    []
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np

from framewise.core.boxes import iou
from framewise.core.results import FrameOutput
from framewise.temporal.state_machine import EventRecord

TEXT_SHOWN = "text_shown"
"""The record type of a line of text shown for a while."""

MIN_IOU = 0.3
"""Boxes of one line in two frames overlap at least this much."""

MIN_SIMILARITY = 0.6
"""Two readings of one line agree at least this much (difflib's ratio)."""

MISSES = 2
"""A line unseen in this many sampled frames in a row has gone (one missed read is not enough)."""


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@dataclass
class _Line:
    start: float
    box: tuple[float, ...]
    last_seen: float
    readings: Counter[str] = field(default_factory=Counter)
    scores: list[float] = field(default_factory=list)
    best: tuple[float, float, tuple[float, ...]] = (-1.0, 0.0, ())
    missed: int = 0
    after: float | None = None

    def text(self) -> str:
        return self.readings.most_common(1)[0][0]


class TextSpans:
    """Text boxes of sampled frames → ``text_shown`` records (see the module)."""

    def __init__(self) -> None:
        self.lines = 0
        self._open: list[_Line] = []
        self._previous: float | None = None

    def update(self, seconds: float, output: FrameOutput) -> list[EventRecord]:
        """Feed one frame's result; the records of the lines that went."""
        detections = output.detections
        seen = [
            (tuple(float(v) for v in detections.xyxy[i]), text, float(detections.confidence[i]))
            for i, text in enumerate(detections.text)
            if text and detections.class_name[i] == "text"
        ]
        matched: set[int] = set()
        for box, text, score in seen:
            line = self._match(box, text, matched)
            if line is None:
                start = seconds if self._previous is None else (self._previous + seconds) / 2
                line = _Line(start, box, seconds)
                self._open.append(line)
            matched.add(id(line))
            line.readings[text] += 1
            line.scores.append(score)
            line.box, line.last_seen, line.missed, line.after = box, seconds, 0, None
            if score > line.best[0]:
                line.best = (score, seconds, box)
        records = []
        for line in list(self._open):
            if id(line) in matched:
                continue
            line.missed += 1
            line.after = seconds if line.after is None else line.after
            if line.missed >= MISSES:
                self._open.remove(line)
                records.append(self._record(line, (line.last_seen + line.after) / 2))
        self._previous = seconds
        return records

    def flush(self) -> list[EventRecord]:
        """End of input: every line still shown ends at the last frame."""
        last = self._previous if self._previous is not None else 0.0
        records = [
            self._record(line, last if line.after is None else (line.last_seen + line.after) / 2)
            for line in self._open
        ]
        self._open = []
        return records

    def pending_since(self) -> float | None:
        """The earliest start of a line still shown."""
        return min((line.start for line in self._open), default=None)

    def wanted_seconds(self) -> set[float]:
        """Each open line's best-read frame (its thumbnail)."""
        return {line.best[1] for line in self._open}

    def _match(self, box: tuple[float, ...], text: str, taken: set[int]) -> _Line | None:
        best: tuple[float, _Line] | None = None
        for line in self._open:
            if id(line) in taken or iou(box, line.box) < MIN_IOU:
                continue
            known = line.text()
            if _digits(text) != _digits(known):
                continue
            similarity = SequenceMatcher(None, text, known).ratio()
            if similarity >= MIN_SIMILARITY and (best is None or similarity > best[0]):
                best = (similarity, line)
        return None if best is None else best[1]

    def _record(self, line: _Line, end: float) -> EventRecord:
        self.lines += 1
        _, shown, box = line.best
        confidence = float(np.mean(line.scores))
        return EventRecord(
            type=TEXT_SHOWN,
            seconds=line.start,
            confidence=round(confidence, 6),
            data={
                "text": line.text(),
                **{k: round(v, 1) for k, v in zip(("x1", "y1", "x2", "y2"), box, strict=True)},
                "start": round(line.start, 6),
                "end": round(max(end, line.start), 6),
                "duration_seconds": round(max(end, line.start) - line.start, 6),
                "readings": sum(line.readings.values()),
            },
            evidence="text",
            track_id=self.lines,
            best_seconds=shown,
        )
