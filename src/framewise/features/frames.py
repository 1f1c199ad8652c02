"""Frames sampled uniformly by time, streamed: decode once, keep only the frames chosen.

For ``n`` samples of a clip of duration ``D`` the targets are ``t_k = (k + ½)·D / n``; each
target takes the first frame whose presentation time (PTS × time base) reaches it. Only the
chosen frames are kept, so memory holds ``n`` frames whatever the clip's length.

Example:
    >>> [round(t, 2) for t in sample_times(2.0, 4)]
    [0.25, 0.75, 1.25, 1.75]
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av.error
import numpy as np
import numpy.typing as npt

from framewise.core.errors import CorruptVideoError
from framewise.sources.container import container_duration, open_video, stream_time_base

RGB = npt.NDArray[np.uint8]


def sample_times(duration: float, count: int) -> list[float]:
    """The ``count`` target times of a clip of ``duration`` seconds (mid-points of equal parts)."""
    return [(k + 0.5) * duration / count for k in range(count)]


def sampled_frames(path: Path, count: int) -> Iterator[tuple[float, RGB]]:
    """``(seconds, RGB frame)`` for up to ``count`` frames spread evenly over the clip.

    Raises:
        InputError: The clip cannot be opened or decoded.
    """
    container, stream = open_video(path)
    try:
        time_base = stream_time_base(stream)
        duration = container_duration(container, stream) or 0.0
        targets = sample_times(duration, count) if duration > 0 else [0.0] * count
        start: int | None = None
        taken = 0
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            start = frame.pts if start is None else start
            seconds = float((frame.pts - start) * time_base)
            while taken < count and seconds >= targets[taken] - 1e-9:
                yield seconds, frame.to_ndarray(format="rgb24").astype(np.uint8, copy=False)
                taken += 1
            if taken >= count:
                return
    except av.error.FFmpegError as exc:
        raise CorruptVideoError(
            f"cannot be decoded ({exc})", subject=path, hint="the file is damaged"
        ) from None
    finally:
        container.close()


def packet_sizes(path: Path, limit: int = 5000) -> tuple[npt.NDArray[np.float64], int, int]:
    """Sizes (bytes) of the first ``limit`` video packets, keyframe count, pixels per frame."""
    container, stream = open_video(path)
    try:
        sizes: list[int] = []
        keys = 0
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            sizes.append(packet.size)
            keys += int(packet.is_keyframe)
            if len(sizes) >= limit:
                break
        pixels = int(stream.codec_context.width) * int(stream.codec_context.height)
    finally:
        container.close()
    return np.asarray(sizes, dtype=np.float64), keys, pixels
