"""Stateful stages start afresh on a new stream (a folder run hands one pipeline many videos)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from framewise.config.detectors import GateConfig
from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import StreamWatch
from framewise.detectors.gate import GateStage
from framewise.detectors.hf import SKIPPED_FEATURE

START = datetime(2026, 1, 1, tzinfo=UTC)


def _frame(source: str, seconds: float, value: int) -> Frame:
    image = np.full((48, 64, 3), value, dtype=np.uint8)
    return Frame(image, round(seconds * 10), seconds, START, source)


def test_the_watch_sees_another_source_and_time_going_back() -> None:
    watch = StreamWatch()
    seen = [
        watch.restarted(_frame(source, t, 0))
        for source, t in [("a", 0.0), ("a", 0.5), ("b", 0.0), ("b", 1.0), ("b", 0.2)]
    ]
    assert seen == [False, False, True, False, True]


def test_the_gate_keeps_the_next_videos_first_frames() -> None:
    gate = GateStage(GateConfig(kind="gate", min_interval_seconds=1.0, threshold=0.0))
    frames = [_frame("a.mp4", t, 10 * i) for i, t in enumerate((0.0, 0.5, 1.0, 1.5, 2.0, 2.5))]
    # The next video starts at 0 s: before the fix, "0 − 2.0 s < 1 s" skipped its opening.
    frames += [_frame("b.mp4", t, 100 + 10 * i) for i, t in enumerate((0.0, 0.5, 1.0))]
    outputs = gate.detect(frames, [FrameOutput(Detections.empty()) for _ in frames])
    skipped = [out.features[out.feature_names.index(SKIPPED_FEATURE)] for out in outputs]
    assert skipped == [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    assert (gate.kept, gate.skipped) == (5, 4)
