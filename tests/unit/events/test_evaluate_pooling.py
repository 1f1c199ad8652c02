"""Event matching shared by scoring and the truth reviewer; pooled reports and F1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from framewise.core.events import Event
from framewise.eval.events import EvalReport, evaluate, match_events

START = datetime(2026, 1, 1, tzinfo=UTC)


def _event(kind: str, seconds: float, **data: str) -> Event:
    return Event(
        event_id=f"{kind}_{seconds}",
        type=kind,
        timestamp=START + timedelta(seconds=seconds),
        video_offset_seconds=seconds,
        frame_number=round(seconds * 10),
        confidence=0.9,
        data=dict(data),
    )


def test_pairs_are_same_type_closest_first_each_used_once() -> None:
    found = [_event("kill", 10.0), _event("kill", 10.4), _event("raid_start", 11.0)]
    truth = [_event("kill", 10.3), _event("raid_start", 30.0)]
    pairs = match_events(found, truth, tolerance=2.0)
    assert [(f.video_offset_seconds, t.video_offset_seconds) for f, t in pairs] == [(10.4, 10.3)]


def test_pairs_with_agreeing_fields_come_before_nearer_ones() -> None:
    """Two kills 1 s apart, the first detected 0.9 s late: time alone would cross them."""
    truth = [_event("kill", 10.0, weapon="M4A1"), _event("kill", 11.0, weapon="SVD-S")]
    found = [_event("kill", 10.9, weapon="M4A1"), _event("kill", 11.1, weapon="SVD-S")]
    pairs = match_events(found, truth, tolerance=2.0)
    assert sorted((f.data["weapon"], t.data["weapon"]) for f, t in pairs) == [
        ("M4A1", "M4A1"),
        ("SVD-S", "SVD-S"),
    ]
    report = evaluate(found, truth, tolerance=2.0)
    assert report.fields["weapon"].accuracy == 1.0


def test_reports_pool_across_sessions() -> None:
    one = evaluate([_event("kill", 1.0, weapon="AK")], [_event("kill", 1.2, weapon="AK")])
    two = evaluate([_event("kill", 5.0, weapon="M4")], [_event("kill", 9.0, weapon="M4")])
    pooled = EvalReport.combined([one, two])
    total = pooled.overall()
    assert (total.truth, total.detected, total.matched) == (2, 2, 1)
    assert pooled.fields["weapon"].compared == 1
    assert abs(pooled.f1() - 0.5) < 1e-9
    assert EvalReport.combined([]).f1() == 1.0  # nothing to find, nothing found
