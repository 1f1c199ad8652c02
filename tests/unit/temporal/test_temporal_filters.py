"""Keyed filters as tables: confirmation, hysteresis, min duration, voting, IoU."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from framewise.temporal import (
    ConfirmationFilter,
    FieldReading,
    FieldVotes,
    HysteresisFilter,
    Span,
    iou,
    long_enough,
)

# (case, hits, period, hit times, time of confirmation or None)
CONFIRM_CASES = [
    ("three consecutive at 10 fps", 3, 0.1, [0.0, 0.1, 0.2], 0.2),
    ("float-noisy times", 3, 0.1, [0.1, 0.2, 0.30000000000000004], 0.30000000000000004),
    ("one missed sample breaks it", 3, 0.1, [0.0, 0.1, 0.3], None),
    ("a miss, then three in a row", 3, 0.1, [0.0, 0.1, 0.3, 0.4, 0.5], 0.5),
    ("single hit needs one", 1, 0.1, [7.0], 7.0),
    ("two hits not enough", 3, 0.1, [0.0, 0.1], None),
    ("live: 3 × 33 ms frame interval", 3, 1 / 30, [0.0, 0.034, 0.066], 0.066),
    ("live: jitter within half a period", 3, 1 / 30, [0.0, 0.04, 0.08], 0.08),
    ("live: a dropped frame", 3, 1 / 30, [0.0, 0.033, 0.1], None),
    ("slow sampling: 2 fps", 2, 0.5, [10.0, 10.5], 10.5),
    ("sparse hits never confirm", 3, 0.1, [0.0, 0.5, 1.0, 1.5, 2.0], None),
]


@pytest.mark.parametrize(
    ("case", "hits", "period", "times", "confirmed_at"),
    CONFIRM_CASES,
    ids=[c[0] for c in CONFIRM_CASES],
)
def test_confirmation(
    case: str, hits: int, period: float, times: Sequence[float], confirmed_at: float | None
) -> None:
    confirm = ConfirmationFilter[str](hits, period)
    at = [t for t in times if confirm.update(t, ["k"]) == ["k"]]
    assert at == ([] if confirmed_at is None else [confirmed_at]), case
    assert confirm.is_confirmed("k") == (confirmed_at is not None)


def test_confirmation_reports_once_until_forgotten_and_keys_are_independent() -> None:
    confirm = ConfirmationFilter[int](2, 0.1)
    assert confirm.update(0.0, [1, 2]) == []
    assert confirm.update(0.1, [1]) == [1]
    assert confirm.update(0.2, [1, 2]) == []  # 1 already reported; 2 missed 0.1
    assert confirm.update(0.3, [2]) == [2]
    confirm.forget(1)
    assert not confirm.is_confirmed(1) and confirm.is_confirmed(2)
    assert confirm.update(0.4, [1]) == []
    assert confirm.flush() == [1]  # had a hit, never confirmed again
    assert not confirm.is_confirmed(2)


@pytest.mark.parametrize(
    ("case", "hits", "confirmed"),
    [
        (
            "three samples in a row, 133 ms apart (VFR below 10 fps)",
            [(0.0, 1), (0.133, 2), (0.267, 3)],
            True,
        ),
        (
            "the same times unnumbered: too far apart",
            [(0.0, None), (0.133, None), (0.267, None)],
            False,
        ),
        ("a sample without a hit in between", [(0.0, 1), (0.133, 2), (0.4, 4)], False),
    ],
)
def test_hits_on_consecutive_samples_confirm_however_far_apart(
    case: str, hits: list[tuple[float, int | None]], confirmed: bool
) -> None:
    confirm = ConfirmationFilter[str](3, 0.1)
    got = [key for seconds, sample in hits for key in confirm.update(seconds, ["a"], sample)]
    assert (got == ["a"]) == confirmed, case


def test_confirmation_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="hits"):
        ConfirmationFilter[str](0, 0.1)
    with pytest.raises(ValueError, match="period"):
        ConfirmationFilter[str](3, 0.0)


# (case, hold, [(time, keys present)], expected spans (key, start, end) in end order)
HYSTERESIS_CASES = [
    ("continuous", 0.5, [(0.0, "a"), (0.1, "a"), (0.2, "a"), (1.0, "")], [("a", 0.0, 0.2)]),
    ("gap within hold", 0.5, [(0.0, "a"), (0.4, "a"), (0.8, "a"), (2.0, "")], [("a", 0.0, 0.8)]),
    (
        "gap longer than hold splits",
        0.5,
        [(0.0, "a"), (0.1, "a"), (0.7, "a"), (2.0, "")],
        [("a", 0.0, 0.1), ("a", 0.7, 0.7)],
    ),
    ("exactly the hold is kept", 0.5, [(0.0, "a"), (0.5, "a"), (2.0, "")], [("a", 0.0, 0.5)]),
    (
        "two keys",
        0.3,
        [(0.0, "ab"), (0.1, "a"), (0.2, "a"), (0.5, "a"), (1.5, "")],
        [("b", 0.0, 0.0), ("a", 0.0, 0.5)],
    ),
    ("flush ends what is open", 1.0, [(0.0, "a"), (0.1, "a")], [("a", 0.0, 0.1)]),
    (
        "hold under the sample period splits every sample",
        0.05,
        [(0.0, "a"), (0.1, "a"), (0.2, "")],
        [("a", 0.0, 0.0), ("a", 0.1, 0.1)],
    ),
]


@pytest.mark.parametrize(
    ("case", "hold", "steps", "expected"), HYSTERESIS_CASES, ids=[c[0] for c in HYSTERESIS_CASES]
)
def test_hysteresis(
    case: str,
    hold: float,
    steps: Sequence[tuple[float, str]],
    expected: Sequence[tuple[str, float, float]],
) -> None:
    hyst = HysteresisFilter[str](hold)
    ended: list[Span[str]] = []
    for t, keys in steps:
        ended += hyst.update(t, list(keys)).ended
    ended += hyst.flush()
    assert [(s.key, s.start, s.end) for s in ended] == list(expected), case


def test_hysteresis_reports_starts_and_visibility() -> None:
    hyst = HysteresisFilter[str](1.0)
    assert hyst.update(0.0, ["a"]).started == ["a"]
    assert hyst.update(0.5, ["a", "b"]).started == ["b"]
    assert hyst.visible("a") == Span("a", 0.0, 0.5)
    assert hyst.visible("c") is None


@pytest.mark.parametrize(
    ("start", "end", "minimum", "expected"),
    [(0.0, 0.3, 0.3, True), (0.1, 0.4, 0.3, True), (0.0, 0.2, 0.3, False), (5.0, 5.0, 0.0, True)],
)
def test_min_duration(start: float, end: float, minimum: float, expected: bool) -> None:
    assert long_enough(Span("k", start, end), minimum) is expected


# (case, readings per frame for one field, expected value, expected confidence)
VOTE_CASES = [
    ("unanimous", [("AK-74M", 0.9)] * 4, "AK-74M", 0.9),
    ("majority wins", [("AK-74M", 0.9), ("AK-74", 0.9), ("AK-74M", 0.9)], "AK-74M", 0.6),
    ("confidence outweighs count", [("M4A1", 0.9), ("M4", 0.3), ("M4", 0.3)], "M4A1", 0.3),
    ("ties go to the first seen", [("a", 0.5), ("b", 0.5)], "a", 0.25),
    ("unreadable frames lower confidence", [("SVD-S", 0.8), (None, 0.0)], "SVD-S", 0.4),
    ("never read", [(None, 0.0), (None, 0.0)], None, 0.0),
    ("bool and int do not merge", [(True, 0.5), (1, 0.6)], 1, 0.3),
]


@pytest.mark.parametrize(
    ("case", "readings", "value", "confidence"), VOTE_CASES, ids=[c[0] for c in VOTE_CASES]
)
def test_field_votes(
    case: str,
    readings: Sequence[tuple[str | int | bool | None, float]],
    value: object,
    confidence: float,
) -> None:
    votes = FieldVotes()
    for v, c in readings:
        votes.add({"f": FieldReading(v, c)})
    result = votes.result()["f"]
    assert result.value == value and type(result.value) is type(value), case
    assert result.confidence == pytest.approx(confidence), case


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 0, 10, 10), (0, 0, 10, 10), 1.0),
        ((0, 0, 10, 10), (5, 0, 15, 10), 1 / 3),
        ((0, 0, 10, 10), (10, 0, 20, 10), 0.0),
        ((0, 0, 10, 10), (20, 20, 30, 30), 0.0),
        ((0, 0, 0, 0), (0, 0, 0, 0), 0.0),
    ],
)
def test_iou(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float], expected: float
) -> None:
    assert iou(a, b) == pytest.approx(expected)
    assert iou(b, a) == pytest.approx(expected)
