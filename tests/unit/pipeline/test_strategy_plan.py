"""The coarse-to-fine plan: every tick once, in order; decoded where keyframes differ."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from framewise.config.pipeline import StrategyConfig
from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.events.journal import JournalEntry, JournalWriter, dense_spans, read_journal
from framewise.pipeline.strategy_plan import CoarseSample, DenseRun, Repeat, SpanPlanner, Step

FPS = 10.0
START = datetime(2026, 1, 1, tzinfo=UTC)


def sample(seconds: float, *classes: str) -> CoarseSample:
    """A keyframe at ``seconds`` whose detections are one box per class."""
    n = len(classes)
    boxes = np.tile(np.array([[0, 0, 10, 10]], np.float32), (n, 1))
    dets = Detections(boxes, np.full(n, 0.9, np.float32), classes)
    frame = Frame(np.zeros((2, 2, 3), np.uint8), round(seconds * 30), seconds, START, "v")
    return CoarseSample(frame, FrameOutput(dets))


def plan(samples: list[CoarseSample], **settings: object) -> list[Step]:
    """Every step the planner hands out for ``samples`` (then the end of the file)."""
    planner = SpanPlanner(
        FPS, StrategyConfig.model_validate({"kind": "coarse-to-fine", **settings})
    )
    steps: list[Step] = []
    for one in samples:
        steps += planner.add(one)
    return steps + planner.finish()


def ticks(steps: list[Step], end_tick: int) -> list[tuple[int, str]]:
    """``(tick, "dense" | repeated keyframe time)`` for ticks up to ``end_tick`` (open runs)."""
    out: list[tuple[int, str]] = []
    for step in steps:
        if isinstance(step, Repeat):
            out.append((step.tick, f"{step.sample.seconds:g}"))
        else:
            stop = end_tick if step.stop is None else step.stop
            out += [(k, "dense") for k in range(step.first, stop)]
    return out


def test_changed_spans_are_decoded_with_margins_and_the_rest_repeats_the_nearer_keyframe() -> None:
    keys = [
        sample(0.0, "menu"),
        sample(2.0, "menu"),
        sample(4.0, "menu", "hud"),  # something appeared between 2 and 4 ...
        sample(6.0, "menu"),  # ... and went between 4 and 6
        sample(8.0, "menu"),
        sample(10.0, "menu"),
        sample(12.0),
    ]
    steps = plan(keys, margin_seconds=0.5)
    got = ticks(steps, 130)
    assert [k for k, _ in got] == list(range(130)), "every tick once, in order"
    kind = dict(got)
    assert all(kind[k] == "dense" for k in range(15, 66)), "2-6 s changed: 1.5-6.5 s decoded"
    assert kind[14] == "2" and kind[66] == "6", "margins end there"
    assert kind[0] == "0" and kind[9] == "0" and kind[11] == "2", "nearer keyframe"
    assert all(kind[k] == "dense" for k in range(95, 130)), "10-12 s changed; the tail is read"
    assert kind[94] == "10" and kind[70] == "6" and kind[71] == "8"


def test_dense_classes_and_long_gops_are_decoded_throughout() -> None:
    kills = [sample(float(t), "hud", "kill_notification") for t in (0, 2, 4)]
    steps = plan(kills, dense_classes=["kill_notification"])
    assert steps == [DenseRun(0, None)]
    long_gop = [sample(float(t), "hud") for t in (0, 5, 10)]
    assert plan(long_gop, max_keyframe_gap_seconds=4.0) == [DenseRun(0, None)]
    assert any(isinstance(s, Repeat) for s in plan(long_gop, max_keyframe_gap_seconds=6.0))


def test_the_journal_keeps_which_ticks_were_repeated(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    writer = JournalWriter(path)
    one = sample(0.0, "hud").output
    for k in range(30):
        repeated = 0.0 if 10 <= k < 20 else None
        writer.write(JournalEntry(k, k / FPS, one, repeated))
    writer.close()
    entries = read_journal(path)
    assert [e.repeated_from for e in entries[9:11]] == [None, 0.0]
    assert dense_spans(entries, gap=0.15) == [(0.0, 0.9), (2.0, 2.9)]


def test_a_box_that_moved_or_a_second_box_of_a_class_is_a_change() -> None:
    still = [sample(0.0, "person"), sample(2.0, "person")]
    assert not any(isinstance(s, DenseRun) and s.stop is not None for s in plan(still))
    moved = sample(2.0, "person")
    moved.output.detections.xyxy[:] = [[20, 0, 30, 10]]  # same class, elsewhere
    assert plan([sample(0.0, "person"), moved])[0] == DenseRun(0, None)
    first = plan([sample(0.0, "person"), moved], min_box_iou=0.0)[0]
    assert isinstance(first, Repeat) and first.tick == 0  # classes only: unchanged
    two = [sample(0.0, "person"), sample(2.0, "person", "person")]
    assert plan(two)[0] == DenseRun(0, None)
