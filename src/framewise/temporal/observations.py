"""Per-frame observations, box overlap, and majority voting of parsed fields.

An observation is one detected box in one frame, with the fields OCR parsed from it. Voting
turns the readings of many frames into one value per field with its own confidence, so a
weapon misread in two frames of forty does not reach the event.

Example:
    >>> votes = FieldVotes()
    >>> for weapon, conf in [("AK-74M", 0.9), ("AK-74", 0.4), ("AK-74M", 0.8)]:
    ...     votes.add({"weapon": FieldReading(weapon, conf)})
    >>> votes.result()["weapon"]
    FieldReading(value='AK-74M', confidence=0.5666666666666668)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from framewise.core.boxes import iou, overlap_of_smaller
from framewise.core.detections import Detections

# The readings moved into core (they are a column of Detections); re-exported (see
# __all__) for callers that import them from here.
from framewise.core.fields import FieldReading, FieldValue

__all__ = [
    "Box",
    "FieldReading",
    "FieldValue",
    "FieldVotes",
    "Observation",
    "differing_fields",
    "drop_duplicates",
    "field_values",
    "fields_agree",
    "fields_differ",
    "iou",
    "observations_from_detections",
    "overlap_of_smaller",
]

Box = tuple[float, float, float, float]
"""``(x1, y1, x2, y2)`` in source pixels."""


@dataclass(frozen=True, slots=True)
class Observation:
    """One detected box in one frame.

    Attributes:
        class_name: The detector's class.
        box: ``(x1, y1, x2, y2)`` in source pixels.
        confidence: Detection score in [0, 1].
        fields: Parsed fields (``{"weapon": FieldReading("M4A1", 0.9)}``).
    """

    class_name: str
    box: Box
    confidence: float
    fields: Mapping[str, FieldReading] = field(default_factory=dict)


def observations_from_detections(detections: Detections) -> list[Observation]:
    """Convert one frame's :class:`Detections` into observations (their typed ``fields``).

    Example:
        >>> import numpy as np
        >>> det = Detections(np.array([[0, 0, 10, 5]]), np.array([0.8]), ("kill",),
        ...                  fields=({"weapon": FieldReading("SVD-S", 0.7)},))
        >>> observations_from_detections(det)[0].fields["weapon"].value
        'SVD-S'
    """
    result = []
    for i, name in enumerate(detections.class_name):
        score = float(detections.confidence[i])
        x1, y1, x2, y2 = (float(v) for v in detections.xyxy[i])
        result.append(Observation(name, (x1, y1, x2, y2), score, dict(detections.fields[i])))
    return result


def vote_key(value: FieldValue) -> tuple[str, FieldValue]:
    """A reading's key when votes are counted: by type too, as ``True == 1`` in Python."""
    return (type(value).__name__, value)


@dataclass
class _Tally:
    value: FieldValue
    weight: float = 0.0
    count: int = 0
    first: int = 0


class FieldVotes:
    """Confidence-weighted majority vote per field over the frames of one track.

    The winner of a field is the value with the largest summed confidence (then more votes,
    then the earliest seen). Its confidence is that sum divided by the number of frames
    that carried the field, so it is high only when readings are both sure and consistent.
    A ``None`` reading counts in that number but never wins.
    """

    def __init__(self) -> None:
        self._tallies: dict[str, dict[tuple[str, FieldValue], _Tally]] = {}
        self._carried: dict[str, int] = {}
        self._seen = 0

    def add(self, fields: Mapping[str, FieldReading]) -> None:
        """Count one frame's readings."""
        self._seen += 1
        for name in sorted(fields):
            reading = fields[name]
            self._carried[name] = self._carried.get(name, 0) + 1
            if reading.value is None:
                continue
            tallies = self._tallies.setdefault(name, {})
            key = vote_key(reading.value)
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = _Tally(reading.value, first=self._seen)
            tally.weight += max(0.0, min(1.0, reading.confidence))
            tally.count += 1

    def _winner(self, name: str) -> _Tally | None:
        tallies = self._tallies.get(name)
        if not tallies:
            return None
        return max(tallies.values(), key=lambda t: (t.weight, t.count, -t.first))

    def leaders(self) -> dict[str, FieldValue]:
        """The currently winning value of each field that has one."""
        winners = {name: self._winner(name) for name in self._tallies}
        return {name: t.value for name, t in winners.items() if t is not None}

    def result(self) -> dict[str, FieldReading]:
        """Each field's winning value and its confidence (``None`` with 0 if never read)."""
        out: dict[str, FieldReading] = {}
        for name in sorted(self._carried):
            winner = self._winner(name)
            if winner is None:
                out[name] = FieldReading(None, 0.0)
            else:
                out[name] = FieldReading(winner.value, winner.weight / self._carried[name])
        return out


def drop_duplicates(observations: Sequence[Observation], min_overlap: float) -> list[Observation]:
    """Drop the weaker of two same-class boxes that are one object boxed twice.

    Non-maximum suppression lets through a second box that overlaps less than its IoU
    threshold: often a box around part of the same kill-feed entry, sliding in or fading
    out, whose text reads short ("PMC RPK-16" of "PMC RPK-16 HEADSHOT"). As a second track it
    would become a second event. A box that overlaps a stronger one at all and reads the
    same text is a duplicate too (a box half a row off). Boxes in different feed rows do not
    overlap, so two identical notifications one above the other are both kept.

    Args:
        observations: One frame's observations.
        min_overlap: Overlap (intersection over the smaller box) from which two boxes of
            one class are one object; 0 keeps everything.

    Returns:
        The observations kept, in their input order.
    """
    if min_overlap <= 0 or len(observations) < 2:
        return list(observations)
    kept: list[int] = []
    for j in sorted(range(len(observations)), key=lambda i: -observations[i].confidence):
        obs = observations[j]
        if not any(_same_object(observations[k], obs, min_overlap) for k in kept):
            kept.append(j)
    return [observations[j] for j in sorted(kept)]


def _same_object(kept: Observation, obs: Observation, min_overlap: float) -> bool:
    """``obs`` overlaps ``kept`` (same class) enough, or at all while reading the same."""
    if kept.class_name != obs.class_name:
        return False
    overlap = overlap_of_smaller(kept.box, obs.box)
    return overlap >= min_overlap or (overlap > 0 and fields_agree(field_values(kept), obs.fields))


def field_values(obs: Observation) -> dict[str, FieldValue]:
    """The values ``obs`` read, without their confidences (unread fields left out)."""
    return {k: r.value for k, r in obs.fields.items() if r.value is not None}


def fields_agree(leaders: Mapping[str, FieldValue], fields: Mapping[str, FieldReading]) -> bool:
    """True when the two share at least one read field and every shared one is equal."""
    shared = [k for k, r in fields.items() if r.value is not None and k in leaders]
    return bool(shared) and all(vote_key(leaders[k]) == vote_key(fields[k].value) for k in shared)


def fields_differ(leaders: Mapping[str, FieldValue], fields: Mapping[str, FieldReading]) -> bool:
    """True when some field read in ``fields`` has another value in ``leaders``."""
    return differing_fields(leaders, fields) > 0


def differing_fields(leaders: Mapping[str, FieldValue], fields: Mapping[str, FieldReading]) -> int:
    """How many fields read in ``fields`` have another value in ``leaders``."""
    return sum(
        r.value is not None and k in leaders and vote_key(leaders[k]) != vote_key(r.value)
        for k, r in fields.items()
    )
