"""Event thumbnails: JPEGs written atomically, from the frames events may still ask for.

Events are often decided after the frames that show them (a notification is one event only
once it has gone), so the pipeline keeps, as small JPEGs, exactly the frames the event engine
may still refer to: each live track's first and best hit and those of records held back for
ordering (:meth:`~framewise.temporal.engine.EventEngine.wanted_seconds`). A frame is shrunk and
encoded only when it becomes one of them, a few times per track, instead of every sampled frame.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import cv2

from framewise.core.atomic import write_bytes
from framewise.core.errors import OutputError
from framewise.core.frames import Frame, Image
from framewise.core.time import nearest


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


class WantedFrames:
    """The frames that may still become thumbnails, as small JPEGs, looked up by time.

    Args:
        max_side: Longest side of a thumbnail in pixels.
        quality: JPEG quality.
        max_frames: Most frames kept (the oldest go first); a guard, as the engine wants only
            a few per live track.
    """

    def __init__(self, max_side: int = 640, quality: int = 85, max_frames: int = 1000) -> None:
        self.max_side = max_side
        self.quality = quality
        self.max_frames = max_frames
        self._frames: dict[float, RingFrame] = {}
        self._times: list[float] = []  # sorted keys of _frames

    def offer(self, frame: Frame, wanted: Collection[float]) -> None:
        """Keep ``frame`` if its time is wanted (frames arrive in time order)."""
        if frame.seconds not in wanted or frame.seconds in self._frames:
            return
        jpeg = encode_jpeg(shrink(frame.image, self.max_side, fast=True), self.quality)
        self._frames[frame.seconds] = RingFrame(frame.index, frame.seconds, jpeg)
        bisect.insort(self._times, frame.seconds)
        while len(self._times) > self.max_frames:
            del self._frames[self._times.pop(0)]

    def retain(self, wanted: Collection[float]) -> None:
        """Forget the frames whose times are no longer wanted."""
        if all(t in wanted for t in self._times):
            return
        self._times = [t for t in self._times if t in wanted]
        self._frames = {t: self._frames[t] for t in self._times}

    def nearest(self, seconds: float) -> RingFrame | None:
        """The kept frame at ``seconds``, else the nearest one; ``None`` when empty."""
        exact = self._frames.get(seconds)
        if exact is not None or not self._times:
            return exact
        best = nearest(self._times, seconds)
        return None if best is None else self._frames[self._times[best]]

    def __len__(self) -> int:
        return len(self._times)


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
