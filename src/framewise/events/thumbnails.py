"""Event thumbnails: JPEGs written atomically, from a short ring of recent frames.

Events are often decided after the frame that shows them (a notification is one event only
once it has gone), so the pipeline keeps the last minute of sampled frames as small JPEGs
and picks the one nearest the event's time.
"""

from __future__ import annotations

import bisect
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import cv2

from framewise.core.atomic import write_bytes
from framewise.core.errors import OutputError
from framewise.core.frames import Frame, Image


def shrink(image: Image, max_side: int, *, fast: bool = False) -> Image:
    """Scale ``image`` down so its longest side is ``max_side`` (never up).

    ``fast`` uses bilinear instead of area averaging: 0.6 ms instead of 3.2 ms for a 1080p
    frame to 640 wide, for pictures made of every sampled frame and mostly thrown away.
    """
    height, width = image.shape[:2]
    if max(height, width) <= max_side:
        return image
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_LINEAR if fast else cv2.INTER_AREA
    return cv2.resize(image, size, interpolation=interpolation)  # type: ignore[return-value]


def encode_jpeg(image: Image, quality: int) -> bytes:
    """JPEG bytes of ``image``.

    Raises:
        OutputError: OpenCV could not encode it.
    """
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise OutputError("could not encode a thumbnail as JPEG")
    return bytes(buffer.tobytes())


@dataclass(frozen=True, slots=True)
class RingFrame:
    """A remembered frame: its index hint, its time and its thumbnail as JPEG bytes."""

    index: int
    seconds: float
    jpeg: bytes


class FrameRing:
    """The last ``seconds`` of frames as small JPEGs, looked up by time.

    JPEG keeps a minute of 10 fps frames at 640 px in about 25 MB, where raw pictures take
    about 400 MB.
    """

    def __init__(self, seconds: float = 30.0, max_side: int = 640, quality: int = 85) -> None:
        self.span = seconds
        self.max_side = max_side
        self.quality = quality
        self._frames: deque[RingFrame] = deque()

    def add(self, frame: Frame) -> None:
        """Remember ``frame`` (frames arrive in time order)."""
        jpeg = encode_jpeg(shrink(frame.image, self.max_side, fast=True), self.quality)
        self._frames.append(RingFrame(frame.index, frame.seconds, jpeg))
        while self._frames and self._frames[0].seconds < frame.seconds - self.span:
            self._frames.popleft()

    def nearest(self, seconds: float) -> RingFrame | None:
        """The remembered frame nearest ``seconds``, or ``None`` when empty."""
        if not self._frames:
            return None
        times = [f.seconds for f in self._frames]
        i = bisect.bisect_left(times, seconds)
        candidates = [j for j in (i - 1, i) if 0 <= j < len(times)]
        best = min(candidates, key=lambda j: abs(times[j] - seconds))
        return self._frames[best]


class ThumbnailWriter:
    """Writes ``<folder>/<event_id>.jpg`` and returns its path relative to the log's folder."""

    def __init__(self, folder: str | os.PathLike[str], relative_to: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.relative_to = Path(relative_to)

    def write(self, event_id: str, jpeg: bytes) -> str:
        """Write one thumbnail atomically."""
        path = self.folder / f"{event_id}.jpg"
        write_bytes(path, jpeg)
        return path.relative_to(self.relative_to).as_posix()
