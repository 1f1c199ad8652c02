"""The gate skips frames too soon after, or too like, the last kept one, and counts them."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from pydantic import ValidationError

from framewise.config.detectors import GateConfig
from framewise.core.frames import Frame, batched
from framewise.core.results import FrameOutput
from framewise.detectors.gate import GateStage
from framewise.detectors.hf import SKIPPED_FEATURE, kept_indices

START = datetime(2026, 1, 1, tzinfo=UTC)


def clip(levels: list[int], fps: float = 10.0) -> list[Frame]:
    """Flat grey frames of the given levels, ``fps`` apart."""
    return [
        Frame(np.full((24, 32, 3), level, np.uint8), i, i / fps, START, "v")
        for i, level in enumerate(levels)
    ]


def decisions(config: GateConfig, frames: list[Frame], size: int) -> list[float]:
    gate = GateStage(config)
    marks = []
    for batch in batched(frames, size):
        outs = gate.detect(batch, [FrameOutput.empty() for _ in batch])
        marks += [o.feature(SKIPPED_FEATURE) for o in outs]
    assert gate.kept + gate.skipped == len(frames)
    assert gate.skipped == sum(marks)
    return marks


def test_near_duplicates_are_skipped_against_the_last_kept_frame() -> None:
    # 100 → 101 (1 apart: skipped) → 102 (2 from the kept 100: kept) → 102 (skipped) → 150.
    frames = clip([100, 101, 102, 102, 150])
    config = GateConfig(kind="gate", threshold=1.5)
    assert decisions(config, frames, 1) == [0, 1, 0, 1, 0]
    assert decisions(config, frames, 3) == decisions(config, frames, 1)


def test_time_sampling_keeps_one_frame_per_interval() -> None:
    frames = clip([0, 50, 100, 150, 200, 250], fps=10)  # all differ
    config = GateConfig(kind="gate", threshold=0, min_interval_seconds=0.25)
    assert decisions(config, frames, 4) == [0, 1, 1, 0, 1, 1]


def test_threshold_zero_keeps_everything_and_a_skip_stays_skipped() -> None:
    frames = clip([5, 5, 5])
    marks = decisions(GateConfig(kind="gate", threshold=0), frames, 2)
    assert marks == [0, 0, 0]
    earlier = [FrameOutput.empty().with_features({SKIPPED_FEATURE: 1.0}), FrameOutput.empty()]
    outs = GateStage(GateConfig(kind="gate", threshold=0)).detect(frames[:2], earlier)
    assert kept_indices(outs) == [1]


def test_the_clip_gate_needs_a_model() -> None:
    with pytest.raises(ValidationError, match="needs model"):
        GateConfig(kind="gate", method="clip")
