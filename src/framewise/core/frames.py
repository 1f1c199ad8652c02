"""Frames: one decoded picture with its true time, and batches of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]
"""An H×W×3 uint8 picture in BGR channel order (OpenCV's and Ultralytics' convention)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame.

    Attributes:
        image: H×W×3 uint8, BGR, already rotated upright per the stream's display matrix.
        index: Position in the stream in presentation order. A hint: exact when the
            stream was read from its start, estimated after a seek or on live sources.
        seconds: Presentation time in seconds from the stream's start (PTS × time_base
            minus the stream's start), or from the source's opening on live sources.
        wall_time: Aware UTC wall-clock time of the frame (session start + seconds; arrival
            time on live sources).
        source_id: Which source the frame came from (a path or URL).
        arrival: ``time.monotonic()`` when the frame left the source, for latency figures.
    """

    image: Image
    index: int
    seconds: float
    wall_time: datetime
    source_id: str
    arrival: float | None = field(default=None, compare=False)

    @property
    def height(self) -> int:
        """Image height in pixels."""
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        """Image width in pixels."""
        return int(self.image.shape[1])


FrameBatch = Sequence[Frame]
"""A batch is a plain sequence of frames, in time order."""


def batched(frames: Iterable[Frame], size: int) -> Iterator[list[Frame]]:
    """Group frames into lists of ``size`` (the last may be shorter).

    Raises:
        ValueError: ``size`` is not positive.
    """
    if size < 1:
        raise ValueError(f"batch size must be >= 1, got {size}")
    iterator = iter(frames)
    while batch := list(islice(iterator, size)):
        yield batch
