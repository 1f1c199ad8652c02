"""H.264 MP4 writing with the frames' own presentation times (PyAV, libx264).

Frames keep their capture times: each frame's PTS is its time from the first frame in
1/90000 s (MPEG's clock), so drops and jitter stay visible in the file instead of being
smoothed into a constant rate. The file appears under its name only when it is complete.

Example:
    >>> with H264Writer(Path("left.mp4"), 1280, 720) as video:  # doctest: +SKIP
    ...     video.write(image, seconds=0.0)
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Self

import av
import av.error
import av.video.frame
import av.video.stream
import cv2
import numpy as np

from framewise.core.atomic import atomic_output
from framewise.core.errors import OutputError
from framewise.core.frames import Image

TIME_BASE = Fraction(1, 90000)
"""PTS unit of the written streams (MPEG's 90 kHz clock)."""


class H264Writer:
    """One H.264 MP4 file written frame by frame, renamed into place on :meth:`close`.

    Args:
        path: The ``.mp4`` to write.
        width: Picture width (even).
        height: Picture height (even).
        crf: x264 constant rate factor (lower is better quality; 18 is visually lossless).
        preset: x264 preset (``ultrafast`` keeps up with two 720p60 cameras on 2 cores).
        rate: Nominal frame rate, written as the stream's average rate.

    Raises:
        OutputError: The file cannot be opened or written.
    """

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        *,
        crf: int = 20,
        preset: str = "ultrafast",
        rate: Fraction = Fraction(60),
    ) -> None:
        self.path = path
        self.frames = 0
        self._last_pts = -1
        self._first: float | None = None
        self._stack = contextlib.ExitStack()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._partial = self._stack.enter_context(atomic_output(path))
        try:
            self._output = av.open(str(self._partial), mode="w", format="mp4")
            stream = self._output.add_stream("libx264", rate=rate)
        except (av.error.FFmpegError, OSError) as exc:
            self._stack.close()
            raise OutputError(f"cannot write video ({exc})", subject=path) from None
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        stream.codec_context.options = {"preset": preset, "crf": str(crf)}
        # Frame threads: PyAV's default (slice threads) halves x264's speed on 2 cores.
        stream.codec_context.thread_type = "FRAME"
        self._stream: av.video.stream.VideoStream = stream
        self._size = (width, height)

    def write(self, image: Image, seconds: float) -> None:
        """Encode one BGR picture taken at ``seconds`` (any origin; times must increase).

        A frame whose time would not advance the PTS (a duplicate) is skipped.
        """
        if self._first is None:
            self._first = seconds
        pts = round((seconds - self._first) / TIME_BASE)
        if pts <= self._last_pts:
            return
        if (image.shape[1], image.shape[0]) != self._size:
            image = np.asarray(
                cv2.resize(image, self._size, interpolation=cv2.INTER_AREA), np.uint8
            )
        planes = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), dtype=np.uint8)
        frame = av.video.frame.VideoFrame.from_numpy_buffer(planes, format="yuv420p")
        frame.pts = pts
        frame.time_base = TIME_BASE
        self._mux(frame)
        self._last_pts = pts
        self.frames += 1

    def _mux(self, frame: av.video.frame.VideoFrame | None) -> None:
        try:
            self._output.mux(self._stream.encode(frame))
        except (av.error.FFmpegError, OSError) as exc:
            raise OutputError(f"cannot write video ({exc})", subject=self.path) from None

    def close(self) -> None:
        """Flush the encoder and move the finished file into place."""
        try:
            self._mux(None)
            self._output.close()
        except BaseException:
            self._stack.__exit__(*_failed())
            raise
        self._stack.close()

    def abandon(self) -> None:
        """Drop the partial file (nothing appears under :attr:`path`)."""
        with contextlib.suppress(av.error.FFmpegError, OSError):
            self._output.close()
        self._stack.__exit__(*_failed())

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()


def _failed() -> tuple[type[BaseException], BaseException, None]:
    """Exception info that makes ``atomic_output`` drop its partial file."""
    error = OutputError("abandoned")
    return type(error), error, None
