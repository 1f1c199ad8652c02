"""Stages as a line of threads: the chain's outputs in order, stages overlapping on different
batches, a stage's error raised to the caller, and no thread left behind when it stops early."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np
import pytest

from framewise.core.frames import Frame, batched
from framewise.core.results import FrameOutput
from framewise.datasets.task_line import Precomputed, StageLine
from framewise.pipeline.chain import DetectorChain


class Marker:
    """A stage that tags each frame with its name and what it saw before it (a cascade)."""

    class_names: tuple[str, ...] = ()

    def __init__(self, name: str, pause: float = 0.0, fail_at: int | None = None) -> None:
        self.name = name
        self.pause = pause
        self.fail_at = fail_at
        self.spans: list[tuple[float, float, int]] = []  # (start, end, first frame index)

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        began = time.monotonic()
        if self.fail_at is not None and any(f.index == self.fail_at for f in batch):
            raise RuntimeError(f"{self.name} failed at frame {self.fail_at}")
        time.sleep(self.pause)
        out = [
            r.with_tags((f"{self.name}<{len(r.tags)}", float(f.index)))
            for f, r in zip(batch, results, strict=True)
        ]
        self.spans.append((began, time.monotonic(), batch[0].index))
        return out

    def thresholds(self) -> Mapping[str, float]:
        return {}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Nothing held."""


def frames(count: int) -> list[Frame]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    image = np.zeros((4, 4, 3), np.uint8)
    return [Frame(image, i, i / 10, start, "clip") for i in range(count)]


def test_the_line_gives_the_chains_outputs_in_order() -> None:
    pose, hands = Marker("pose", 0.02), Marker("hands", 0.02)
    batches = list(batched(frames(40), 4))
    got = list(StageLine([pose, hands]).run(batches))
    assert [batch for batch, _ in got] == batches
    expected = DetectorChain([Marker("pose"), Marker("hands")])
    for batch, outputs in got:
        assert [o.tags for o in outputs] == [o.tags for o in expected.run(batch)]
        assert outputs[0].tags == (("pose<0", batch[0].index), ("hands<1", batch[0].index))
    # Hands worked on a batch while pose already worked on a later one.
    assert any(
        p_start < h_end and h_start < p_end and p_first > h_first
        for p_start, p_end, p_first in pose.spans
        for h_start, h_end, h_first in hands.spans
    )


def test_a_stages_error_reaches_the_caller_and_no_thread_is_left() -> None:
    before = threading.active_count()
    line = StageLine([Marker("pose"), Marker("hands", fail_at=12)])
    seen = []
    with pytest.raises(RuntimeError, match="hands failed at frame 12"):
        for batch, _ in line.run(batched(frames(40), 4)):
            seen.append(batch[0].index)
    assert seen == [0, 4, 8]
    assert threading.active_count() == before


def test_a_caller_that_stops_early_stops_the_line() -> None:
    before = threading.active_count()
    run = StageLine([Marker("pose", 0.01)]).run(batched(frames(400), 4))
    assert next(run)[0][0].index == 0
    run.close()
    assert threading.active_count() == before


def test_precomputed_hands_on_only_the_batch_it_was_given() -> None:
    batch = frames(3)
    chain = Precomputed(DetectorChain([Marker("pose")]))
    outputs = [FrameOutput.empty().with_tags(("x", 1.0)) for _ in batch]
    chain.give(batch, outputs)
    assert chain.run(batch) is outputs
    with pytest.raises(ValueError, match="not given"):
        chain.run(batch)  # given once
    chain.give(batch, outputs)
    with pytest.raises(ValueError, match="not given"):
        chain.run(frames(3))  # equal frames, not the same ones
