"""Thumbnail frames: only wanted frames are encoded and kept; lookup by time."""

from __future__ import annotations

from datetime import UTC, datetime

import cv2
import numpy as np

from framewise.core.frames import Frame
from framewise.events.thumbnails import WantedFrames

STAMP = datetime(2026, 1, 15, tzinfo=UTC)


def frame(index: int, grey: int) -> Frame:
    image = np.full((720, 1280, 3), grey, np.uint8)
    return Frame(image, index, index / 10, STAMP, "t")


def grey_of(jpeg: bytes) -> float:
    picture = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert picture is not None and max(picture.shape[:2]) == 320
    return float(picture.mean())


def test_only_wanted_frames_are_kept_and_found_by_time() -> None:
    kept = WantedFrames(max_side=320, quality=90)
    wanted = {0.2, 0.5}
    for i in range(8):
        kept.offer(frame(i, 20 * i), wanted)
    assert len(kept) == 2
    exact = kept.nearest(0.5)
    assert exact is not None and exact.index == 5
    assert abs(grey_of(exact.jpeg) - 100) < 3
    fallback = kept.nearest(0.3)  # not kept: the nearest kept frame stands in
    assert fallback is not None and fallback.index == 2
    kept.retain({0.5})
    assert len(kept) == 1
    only = kept.nearest(0.0)
    assert only is not None and only.index == 5
    kept.retain(set())
    assert kept.nearest(0.5) is None


def test_the_guard_drops_the_oldest_frames() -> None:
    kept = WantedFrames(max_side=320, max_frames=3)
    times = {i / 10 for i in range(10)}
    for i in range(10):
        kept.offer(frame(i, 10), times)
    assert len(kept) == 3
    oldest = kept.nearest(0.0)
    assert oldest is not None and oldest.index == 7
