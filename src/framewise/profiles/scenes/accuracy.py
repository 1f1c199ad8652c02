"""Cut accuracy: found cuts against ground truth, matched one to one within a tolerance.

The real-video corpus states its cuts in several ways (quoted test expectations, curated
changes, fades' cut times); :func:`truth_cuts` reads each of them from a ground-truth JSON,
and :func:`match_cuts` scores a list of found cut times against them (precision, recall, F1
and the mean time error of the matched pairs).

Example:
    >>> score = match_cuts([1.0, 2.04, 5.0], [1.0, 2.0], tolerance=0.1)
    >>> (score.hits, score.false_cuts, score.missed, round(score.f1, 3))
    (2, 1, 0, 0.8)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TOLERANCE_SECONDS = 0.1
"""A found cut this close to a true one is that cut (about two frames at 24 fps)."""


@dataclass(frozen=True)
class CutScore:
    """How found cuts compare with true ones."""

    hits: int
    false_cuts: int
    missed: int
    time_error: float

    @property
    def precision(self) -> float:
        """Share of found cuts that are true (1 when none were found)."""
        found = self.hits + self.false_cuts
        return self.hits / found if found else 1.0

    @property
    def recall(self) -> float:
        """Share of true cuts found (1 when there are none)."""
        truth = self.hits + self.missed
        return self.hits / truth if truth else 1.0

    @property
    def f1(self) -> float:
        """``2·hits / (found + true)`` (1 when both are empty)."""
        total = 2 * self.hits + self.false_cuts + self.missed
        return 2 * self.hits / total if total else 1.0

    def __add__(self, other: CutScore) -> CutScore:
        hits = self.hits + other.hits
        error = (self.time_error * self.hits + other.time_error * other.hits) / max(hits, 1)
        return CutScore(hits, self.false_cuts + other.false_cuts, self.missed + other.missed, error)


def match_cuts(
    found: Sequence[float], truth: Sequence[float], tolerance: float = TOLERANCE_SECONDS
) -> CutScore:
    """Greedy one-to-one matching of ``found`` to ``truth``, nearest pairs first."""
    pairs = sorted(
        (abs(f - t), i, j)
        for i, f in enumerate(found)
        for j, t in enumerate(truth)
        if abs(f - t) <= tolerance
    )
    used_found: set[int] = set()
    used_truth: set[int] = set()
    errors = []
    for error, i, j in pairs:
        if i not in used_found and j not in used_truth:
            used_found.add(i)
            used_truth.add(j)
            errors.append(error)
    hits = len(errors)
    mean = sum(errors) / hits if hits else 0.0
    return CutScore(hits, len(found) - hits, len(truth) - hits, mean)


def truth_cuts(groundtruth: Mapping[str, Any]) -> list[float]:
    """The true cut times (seconds) a corpus ground-truth JSON states.

    Reads, in order of preference: ``cuts_seconds``, curated ``state_segments.changes``,
    the fades' ``expected_times_default_threshold``, ``derived_cuts`` and
    ``observed_hard_cuts``; a file stating none of them has no cuts.
    """
    if "cuts_seconds" in groundtruth:
        return [float(t) for t in groundtruth["cuts_seconds"]]
    changes = groundtruth.get("state_segments", {}).get("changes")
    for entries in (
        changes,
        groundtruth.get("expected_times_default_threshold"),
        groundtruth.get("derived_cuts"),
        groundtruth.get("observed_hard_cuts"),
    ):
        if entries:
            return [float(entry["pts_s"]) for entry in entries]
    return []
