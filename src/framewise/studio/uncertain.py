"""Where a model was least sure: the spans to relabel first (the seed's active-learning step).

Two kinds of span come out of a prediction run:

* ``low_confidence``: consecutive predictions whose smoothed confidence is below
  :data:`LOW_CONFIDENCE`; score = 1 − their mean confidence.
* ``flicker``: a stretch of at least :data:`FLICKER_MIN_S` seconds in which the window's own
  top class (``raw_label``) changes at least twice between neighbouring predictions, the
  changes no more than :data:`FLICKER_GAP_S` apart; score = changes per prediction in it.

Both scores are in 0..1, higher = less sure; the list is sorted least sure first.

Example:
    >>> uncertain_spans([{"t": 2.0, "start": 0.0, "label": "a", "confidence": 0.4,
    ...                   "raw_label": "a"}])
    [{'start': 0.0, 'end': 2.0, 'reason': 'low_confidence', 'score': 0.6}]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

LOW_CONFIDENCE = 0.6
FLICKER_MIN_S = 3.0
FLICKER_GAP_S = 3.0


def _low_confidence(predictions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    spans: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []
    for p in [*predictions, None]:
        if p is not None and float(p["confidence"]) < LOW_CONFIDENCE:
            run.append(p)
            continue
        if run:
            mean = sum(float(q["confidence"]) for q in run) / len(run)
            spans.append(
                {
                    "start": float(run[0].get("start", run[0]["t"])),
                    "end": float(run[-1]["t"]),
                    "reason": "low_confidence",
                    "score": round(1.0 - mean, 6),
                }
            )
            run = []
    return spans


def _flicker(predictions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    changes = [
        k
        for k in range(1, len(predictions))
        if predictions[k]["raw_label"] != predictions[k - 1]["raw_label"]
    ]
    groups: list[list[int]] = []
    for k in changes:
        previous = groups[-1][-1] if groups else None
        close = previous is not None and (
            float(predictions[k]["t"]) - float(predictions[previous]["t"]) <= FLICKER_GAP_S
        )
        if close:
            groups[-1].append(k)
        else:
            groups.append([k])
    spans = []
    for group in groups:
        if len(group) < 2:
            continue
        first, last = group[0] - 1, group[-1]
        start = float(predictions[first]["t"])
        end = max(float(predictions[last]["t"]), start + FLICKER_MIN_S)
        inside = [p for p in predictions if start <= float(p["t"]) <= end]
        spans.append(
            {
                "start": start,
                "end": end,
                "reason": "flicker",
                "score": round(min(1.0, len(group) / max(len(inside), 1)), 6),
            }
        )
    return spans


def uncertain_spans(predictions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The low-confidence and flicker spans of a run's predictions, least sure first."""
    ordered = sorted(predictions, key=lambda p: float(p["t"]))
    spans = _low_confidence(ordered) + _flicker(ordered)
    return sorted(spans, key=lambda s: (-s["score"], s["start"]))
