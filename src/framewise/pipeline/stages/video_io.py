"""Streamed video reading and MP4 writing for stages that rewrite clips (augment, scale).

Frames are decoded and encoded one at a time: memory holds a frame or two whatever the
video's length (the benchmark measures it against a list-of-frames loop). Clips are written
through :func:`framewise.core.atomic.atomic_output`, so a kill leaves no half-written MP4.

Example:
    >>> with Mp4Writer(Path("out.mp4"), fps=Fraction(25)) as writer:  # doctest: +SKIP
    ...     for seconds, rgb in iter_frames(Path("in.mp4")):
    ...         writer.write(rgb)
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import av.error
import cv2
import numpy as np
import numpy.typing as npt

from framewise.core.atomic import atomic_output
from framewise.core.errors import CorruptVideoError, OutputError
from framewise.sources.container import open_video, stream_time_base

RGB = npt.NDArray[np.uint8]

X264_OPTIONS = {"preset": "veryfast", "threads": "1", "x264-params": "mbtree=0"}
"""One thread, and no macroblock tree: with torch loaded in the process, x264's mbtree
rate control gave other bytes for the same frames from one clip to the next (its float
lookahead depends on state it does not own), so a resumed run wrote other clips than an
uninterrupted one. Without it every clip is the same on every run."""


def iter_frames(path: Path, max_seconds: float | None = None) -> Iterator[tuple[float, RGB]]:
    """``(seconds, H×W×3 RGB)`` for every frame, in presentation order, streamed.

    Raises:
        InputError: The file cannot be opened or decoded.
    """
    container, stream = open_video(path)
    try:
        time_base = stream_time_base(stream)
        start: int | None = None
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            start = frame.pts if start is None else start
            seconds = float((frame.pts - start) * time_base)
            if max_seconds is not None and seconds >= max_seconds:
                break
            yield seconds, frame.to_ndarray(format="rgb24").astype(np.uint8, copy=False)
    except av.error.FFmpegError as exc:
        raise CorruptVideoError(
            f"cannot be decoded ({exc})", subject=path, hint="the file is damaged"
        ) from None
    finally:
        container.close()


def video_rate(path: Path) -> Fraction:
    """The stream's average frame rate (25 when the container does not say)."""
    container, stream = open_video(path)
    try:
        rate = stream.average_rate or stream.guessed_rate
        return Fraction(rate) if rate else Fraction(25)
    finally:
        container.close()


class Mp4Writer:
    """H.264 MP4 at a constant rate, written atomically, frames given one by one.

    Args:
        path: The clip to write.
        fps: Frame rate of the clip.
        crf: x264 quality (lower is better).
    """

    def __init__(self, path: Path, fps: Fraction, crf: int = 20) -> None:
        self.path = path
        self.fps = Fraction(fps).limit_denominator(1001)
        self.crf = crf
        self.frames = 0
        self._partial = atomic_output(path)
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None

    def __enter__(self) -> Mp4Writer:
        path = self._partial.__enter__()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._container = av.open(str(path), "w", format="mp4")
        except (OSError, av.error.FFmpegError) as exc:
            self._partial.__exit__(None, None, None)
            raise OutputError(f"cannot write ({exc})", subject=self.path, hint="check") from None
        return self

    def write(self, rgb: RGB) -> None:
        """Encode one RGB frame (the first fixes the size; odd sides are cropped by one)."""
        if self._container is None:
            raise RuntimeError("Mp4Writer is used inside `with`")
        height, width = rgb.shape[0] & ~1, rgb.shape[1] & ~1
        if self._stream is None:
            stream = self._container.add_stream("libx264", rate=self.fps)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.options = {"crf": str(self.crf), **X264_OPTIONS}
            self._stream = stream
        # OpenCV converts to YUV 4:2:0 (BT.601), so the encoder's input never depends on
        # how its swscale context was set up: with X264_OPTIONS, same frames, same bytes.
        yuv = cv2.cvtColor(np.ascontiguousarray(rgb[:height, :width]), cv2.COLOR_RGB2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv.astype(np.uint8, copy=False), "yuv420p")
        frame.pts = self.frames
        frame.time_base = 1 / self.fps
        self._container.mux(self._stream.encode(frame))
        self.frames += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        container, self._container = self._container, None
        try:
            if container is not None:
                if error is None and self._stream is not None:
                    container.mux(self._stream.encode(None))
                container.close()
        except BaseException as exc:
            self._partial.__exit__(type(exc), exc, exc.__traceback__)
            raise
        if error is None and self.frames == 0:
            empty = OutputError("no frames to write", subject=self.path, hint="check the input")
            self._partial.__exit__(type(empty), empty, None)
            raise empty
        self._partial.__exit__(kind, error, trace)


def reversed_frames(frames: Iterable[RGB], folder: Path) -> Iterator[RGB]:
    """``frames`` last first, spooled through a temporary file, so memory stays flat."""
    with tempfile.TemporaryFile(dir=folder) as spool:
        shape: tuple[int, ...] | None = None
        count = 0
        for frame in frames:
            shape = shape or frame.shape
            spool.write(np.ascontiguousarray(frame).tobytes())
            count += 1
        if shape is None:
            return
        size = int(np.prod(shape))
        for index in range(count - 1, -1, -1):
            spool.seek(index * size)
            data = spool.read(size)
            yield np.frombuffer(data, dtype=np.uint8).reshape(shape)
