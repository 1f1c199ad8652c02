"""Scores for active learning: how much a reviewer's label on one sampled frame would teach.

Three reasons, each in [0, 1], computed from the detection journal alone (no video decode):

- **uncertainty**: the detector's confidence near its decision threshold. A triangle over the
  band (default 0.5–0.7): 1 at the band's middle, falling linearly to 0 at its edges, 0
  outside. A frame takes its most uncertain detection.
- **rarity**: how rare the frame's classes are across every journal selected from. A class seen
  in ``n`` of the ``N`` frames that hold any detection scores ``log(N / n) / log(N)``
  (normalised −log frequency: 1 for a class seen in one frame, 0 for a class in every frame).
  A frame takes its rarest class.
- **disagreement**: the frame and its adjacent sampled frames (same journal) disagree. A class
  present here but in neither neighbour, or absent here but in both (flicker), scores 1; a
  class that appears or disappears on one side only (a real onset or offset) scores 0.5. A
  class present on both sides of a comparison whose box jumps scores
  ``(jump_iou − IoU) / jump_iou`` (its worst-matched box; 0 when the IoU is ``jump_iou`` or
  more). A frame takes its most disputed class.

The combined score is the weighted mean ``Σ wᵢ·reasonᵢ / Σ wᵢ``, so it stays in [0, 1].

Example:
    >>> band_uncertainty(0.6, (0.5, 0.7))
    1.0
    >>> round(band_uncertainty(0.65, (0.5, 0.7)), 6)
    0.5
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from framewise.core.boxes import best_iou
from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.events.journal import JournalEntry

REASONS = ("uncertainty", "rarity", "disagreement")
"""The reasons a frame is worth reviewing, in the order of ``--weights``."""

DEFAULT_BAND = (0.5, 0.7)
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"uncertainty": 0.5, "rarity": 0.2, "disagreement": 0.3}
)
DEFAULT_JUMP_IOU = 0.5
"""A box whose best IoU with the same class in a neighbour frame is under this has jumped."""

DEFAULT_MIN_GAP = 10.0
"""Seconds between two picks of one session with the same classes (see ``datasets.select``)."""
DEFAULT_MIN_SCORE = 0.05
"""Frames scoring under this are not candidates (see ``datasets.select``)."""

ONSET = 0.5
"""Disagreement of a class that appears or disappears on one side only (an onset/offset)."""


@dataclass(frozen=True)
class ScoreOptions:
    """How frames are scored.

    Attributes:
        band: ``(low, high)`` confidences; the middle of the band is the most uncertain.
        weights: Weight of each reason (keys of :data:`REASONS`), at least one positive.
        jump_iou: IoU under which a box of the same class in a neighbour frame has jumped.
    """

    band: tuple[float, float] = DEFAULT_BAND
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    jump_iou: float = DEFAULT_JUMP_IOU

    def __post_init__(self) -> None:
        low, high = self.band
        if not 0.0 <= low < high <= 1.0:
            raise ConfigError(
                f"band {low}–{high} is not 0 <= low < high <= 1",
                subject="--band",
                hint="e.g. 0.5 0.7",
            )
        unknown = set(self.weights) - set(REASONS)
        if unknown or any(w < 0 or not math.isfinite(w) for w in self.weights.values()):
            raise ConfigError(
                f"weights {dict(self.weights)} are not non-negative weights of "
                f"{', '.join(REASONS)}",
                subject="--weights",
                hint="e.g. uncertainty=0.5,rarity=0.2,disagreement=0.3",
            )
        if sum(self.weights.get(r, 0.0) for r in REASONS) <= 0:
            raise ConfigError(
                "every weight is 0", subject="--weights", hint="give at least one reason a weight"
            )
        if not 0.0 < self.jump_iou <= 1.0:
            raise ConfigError(
                f"jump IoU {self.jump_iou} is outside (0, 1]", subject="--jump-iou", hint="e.g. 0.5"
            )

    def combine(self, reasons: Mapping[str, float]) -> float:
        """The weighted mean of ``reasons`` (missing reasons count 0)."""
        total = sum(self.weights.get(r, 0.0) for r in REASONS)
        return sum(self.weights.get(r, 0.0) * reasons.get(r, 0.0) for r in REASONS) / total


@dataclass(frozen=True)
class FrameScore:
    """One journal frame's reasons, before rarity (which needs every journal) is known.

    Attributes:
        index: The frame's index hint.
        seconds: Its presentation time.
        uncertainty: See the module docstring.
        disagreement: See the module docstring.
        classes: The classes detected in the frame, sorted, without repeats.
    """

    index: int
    seconds: float
    uncertainty: float
    disagreement: float
    classes: tuple[str, ...]


def band_uncertainty(confidence: float, band: tuple[float, float]) -> float:
    """1 at the middle of ``band``, falling linearly to 0 at its edges; 0 outside."""
    low, high = band
    half = (high - low) / 2
    return max(0.0, 1.0 - abs(confidence - (low + half)) / half)


def frame_uncertainty(detections: Detections, band: tuple[float, float]) -> float:
    """The most uncertain detection's :func:`band_uncertainty` (0 for no detections)."""
    return max((band_uncertainty(c, band) for c in detections.confidence.tolist()), default=0.0)


def class_frame_counts(entries: Iterable[JournalEntry]) -> Counter[str]:
    """In how many frames each class was detected (a frame counts once per class)."""
    counts: Counter[str] = Counter()
    for entry in entries:
        counts.update(set(entry.detections.class_name))
    return counts


def class_rarity(counts: Mapping[str, int], frames: int) -> dict[str, float]:
    """Normalised −log frequency of each class: ``log(frames / n) / log(frames)``.

    Args:
        counts: Frames holding each class (:func:`class_frame_counts`, summed over journals).
        frames: Frames holding any detection.
    """
    if frames <= 1:
        return dict.fromkeys(counts, 0.0)
    scale = math.log(frames)
    return {name: min(1.0, max(0.0, math.log(frames / n) / scale)) for name, n in counts.items()}


Boxes = list[tuple[float, float, float, float]]


def _by_class(detections: Detections) -> dict[str, Boxes]:
    """Boxes of each class, as plain floats (frames hold a few boxes: numpy would cost more)."""
    groups: dict[str, Boxes] = {}
    for name, (x1, y1, x2, y2) in zip(detections.class_name, detections.xyxy.tolist(), strict=True):
        groups.setdefault(name, []).append((x1, y1, x2, y2))
    return groups


def _disagreement(
    here: dict[str, Boxes], neighbours: Sequence[dict[str, Boxes]], jump_iou: float
) -> float:
    if not neighbours:
        return 0.0
    worst = 0.0
    for name in set(here).union(*neighbours):
        differ = sum((name in here) != (name in other) for other in neighbours)
        if differ == len(neighbours):
            worst = max(worst, 1.0 if len(neighbours) > 1 else ONSET)
        elif differ:
            worst = max(worst, ONSET)
        if name not in here:
            continue
        for other in neighbours:
            if name in other:
                matched = min(best_iou(box, other[name]) for box in here[name])
                worst = max(worst, (jump_iou - matched) / jump_iou)
    return worst


def disagreement(
    here: Detections, neighbours: Sequence[Detections], jump_iou: float = DEFAULT_JUMP_IOU
) -> float:
    """How much ``here`` and its adjacent sampled frames disagree (see the module docstring).

    Args:
        here: The frame's detections.
        neighbours: The previous and next sampled frames' detections (one at a journal's ends).
        jump_iou: IoU under which a box of the same class has jumped.
    """
    return _disagreement(_by_class(here), [_by_class(n) for n in neighbours], jump_iou)


def score_journal(entries: Sequence[JournalEntry], options: ScoreOptions) -> list[FrameScore]:
    """Uncertainty and disagreement of every frame of one journal, in journal order."""
    groups = [_by_class(entry.detections) for entry in entries]
    scores = []
    for i, entry in enumerate(entries):
        neighbours = [groups[j] for j in (i - 1, i + 1) if 0 <= j < len(entries)]
        scores.append(
            FrameScore(
                index=entry.index,
                seconds=entry.seconds,
                uncertainty=frame_uncertainty(entry.detections, options.band),
                disagreement=_disagreement(groups[i], neighbours, options.jump_iou),
                classes=tuple(sorted(groups[i])),
            )
        )
    return scores


def frame_reasons(frame: FrameScore, rarity: Mapping[str, float]) -> dict[str, float]:
    """All three reasons of ``frame``, given the rarity of every class."""
    return {
        "uncertainty": frame.uncertainty,
        "rarity": max((rarity.get(c, 0.0) for c in frame.classes), default=0.0),
        "disagreement": frame.disagreement,
    }


def _read_weights(text: str) -> dict[str, float] | None:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        if parts and all("=" not in p for p in parts):
            numbers = [float(p) for p in parts]
            return dict(zip(REASONS, numbers, strict=True)) if len(numbers) == 3 else None
        weights = dict(DEFAULT_WEIGHTS)
        for part in parts:
            key, value = (s.strip().lower() for s in part.split("=", 1))
            matches = [r for r in REASONS if key and r.startswith(key)]
            if len(matches) != 1:
                return None
            weights[matches[0]] = float(value)
    except ValueError:  # not a number, or a part without "="
        return None
    return weights


def parse_weights(text: str) -> dict[str, float]:
    """Parse ``--weights``: ``uncertainty=0.5,rarity=0.2,disagreement=0.3`` or ``0.5,0.2,0.3``.

    Names may be shortened (``u=1,r=0``); reasons not named keep their default weight.

    Raises:
        ConfigError: Not in either form.
    """
    weights = _read_weights(text)
    if weights is None:
        raise ConfigError(
            f"cannot read weights {text!r}",
            subject="--weights",
            hint="write uncertainty=0.5,rarity=0.2,disagreement=0.3 (or three numbers)",
        )
    return weights
