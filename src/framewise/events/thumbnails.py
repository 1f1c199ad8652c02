"""Event thumbnails: JPEGs written atomically, from a short ring of recent frames.

Events are often decided after the frame that shows them (a notification is one event only
once it has gone), so the pipeline keeps the last few seconds of sampled frames, scaled down,
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


def shrink(image: Image, max_width: int) -> Image:
    """Scale ``image`` down to ``max_width`` (never up)."""
    height, width = image.shape[:2]
    if width <= max_width:
        return image
    size = (max_width, max(1, round(height * max_width / width)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class RingFrame:
    """A remembered frame: its index hint, its time and its (scaled) picture."""

    index: int
    seconds: float
    image: Image


class FrameRing:
    """The last ``seconds`` of frames, scaled to ``max_width``, looked up by time."""

    def __init__(self, seconds: float = 30.0, max_width: int = 640) -> None:
        self.span = seconds
        self.max_width = max_width
        self._frames: deque[RingFrame] = deque()

    def add(self, frame: Frame) -> None:
        """Remember ``frame`` (frames arrive in time order)."""
        self._frames.append(
            RingFrame(frame.index, frame.seconds, shrink(frame.image, self.max_width))
        )
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

    def __init__(
        self, folder: str | os.PathLike[str], relative_to: str | os.PathLike[str], quality: int = 85
    ) -> None:
        self.folder = Path(folder)
        self.relative_to = Path(relative_to)
        self.quality = quality

    def write(self, event_id: str, image: Image) -> str:
        """Encode and write one thumbnail atomically."""
        ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if not ok:
            raise OutputError(f"could not encode the thumbnail of {event_id}")
        path = self.folder / f"{event_id}.jpg"
        write_bytes(path, buffer.tobytes())
        return path.relative_to(self.relative_to).as_posix()
