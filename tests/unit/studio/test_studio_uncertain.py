"""The spans to relabel first: low confidence and flicker, least sure first."""

from __future__ import annotations

from typing import Any

from framewise.studio.uncertain import uncertain_spans


def _p(t: float, label: str, confidence: float, raw: str | None = None) -> dict[str, Any]:
    return {
        "t": t,
        "start": t - 2.0,
        "label": label,
        "confidence": confidence,
        "raw_label": raw or label,
    }


def test_low_confidence_runs_become_spans_scored_by_their_doubt() -> None:
    predictions = [
        _p(2.0, "a", 0.9),
        _p(2.5, "a", 0.5),
        _p(3.0, "a", 0.3),
        _p(3.5, "a", 0.95),
        _p(4.0, "b", 0.55),
    ]
    spans = uncertain_spans(predictions)
    assert spans == [
        {"start": 0.5, "end": 3.0, "reason": "low_confidence", "score": 0.6},
        {"start": 2.0, "end": 4.0, "reason": "low_confidence", "score": 0.45},
    ]


def test_a_window_label_that_keeps_changing_is_flicker() -> None:
    raws = ["a", "b", "a", "b", "b", "b", "b", "b", "b", "b", "b", "b", "b", "b", "b"]
    predictions = [_p(2.0 + 0.5 * k, "a", 0.9, raw) for k, raw in enumerate(raws)]
    spans = uncertain_spans(predictions)
    assert [s["reason"] for s in spans] == ["flicker"]
    (flicker,) = spans
    # Changes at 2.5, 3.0 and 3.5 s; the span is at least 3 s long.
    assert (flicker["start"], flicker["end"]) == (2.0, 5.0)
    assert 0 < flicker["score"] <= 1


def test_a_single_change_is_not_flicker_and_sure_predictions_give_nothing() -> None:
    predictions = [_p(2.0 + 0.5 * k, "a", 0.9, "a" if k < 5 else "b") for k in range(10)]
    assert uncertain_spans(predictions) == []
