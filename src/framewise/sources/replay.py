"""ReplaySource: a recording played at real-time pace (or ×speed), to test live mode.

A producer thread reads a :class:`~framewise.sources.file.FileSource` and releases each frame
when its video time is due (``t0 + seconds / speed``). Frames keep their file times
(``seconds`` from PTS, ``wall_time`` = session start + ``seconds``), so what a live pipeline
finds in a replay can be compared one to one with a batch run over the same file; ``arrival``
is the monotonic release time. With ``keep_newest`` a slow consumer gets the newest released
frame and the ones it missed are counted in ``stats.dropped``, exactly as on a live source.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Self

from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.core.time import SessionStart
from framewise.sources.base import SourceStats, VideoSource
from framewise.sources.file import DecodeOptions, FileSource
from framewise.sources.latest import Feed, FeedHolder

_OURS = frozenset({"kept", "dropped", "reconnects"})
"""Counters the replay keeps itself; the others come from the file's decoder."""


class ReplaySource(VideoSource):
    """Frames of a video file, released at the pace they were recorded.

    Args:
        path: The video file.
        speed: Playback speed: ``1.0`` real time, ``4.0`` four times faster.
        sample_fps: Frames per second to keep, chosen by video time exactly as
            :class:`~framewise.sources.file.FileSource` chooses them (same frames as a batch
            run); ``None`` replays every frame.
        keep_newest: Behave like a live source: a frame the consumer has not taken when the
            next one is due is replaced and counted in ``stats.dropped``. ``False`` waits
            for the consumer instead (nothing dropped; the replay falls behind real time and
            catches up once the consumer does).
        session_start: Wall-clock time of the first frame; else the file's (see FileSource).
        size: ``(width, height)`` to scale frames to.
        decode: Decoder options for the underlying FileSource.

    Example:
        >>> with ReplaySource("match.mkv", speed=2.0) as source:  # doctest: +SKIP
        ...     for frame in source.read():
        ...         print(frame.seconds, frame.wall_time, source.stats.dropped)
    """

    seekable = True

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        speed: float = 1.0,
        sample_fps: float | None = None,
        keep_newest: bool = True,
        session_start: datetime | SessionStart | None = None,
        size: tuple[int, int] | None = None,
        decode: DecodeOptions | None = None,
    ) -> None:
        if not (math.isfinite(speed) and speed > 0):
            raise ConfigError(
                f"replay speed must be a number above 0, got {speed}",
                subject=os.fspath(path),
                hint="use 1.0 for real time, 4.0 for four times faster",
            )
        self.file = FileSource(
            path, sample_fps=sample_fps, session_start=session_start, size=size, decode=decode
        )
        self.source_id = self.file.source_id
        self.session_start = self.file.session_start
        self.duration = self.file.duration
        self.frame_rate = self.file.frame_rate
        self.speed = speed
        self.keep_newest = keep_newest
        self.stats = SourceStats()
        self._holder: FeedHolder[Frame] = FeedHolder(self.source_id)

    def seek(self, seconds: float) -> Self:
        """Start the next :meth:`read` at the frame on screen at ``seconds`` (paced from there)."""
        self.file.seek(seconds)
        return self

    def read(self) -> Iterator[Frame]:
        """Play the file from its start (or :meth:`seek` point), yielding frames as they fall due.

        Ending the iteration early stops the replay; :meth:`close` from any thread ends it
        cleanly. Errors of the file (e.g. a corrupt video) are raised here.
        """
        feed = self._start()
        if feed is None:
            return
        try:
            for frame in feed:
                self.stats.kept += 1
                yield frame
        finally:
            feed.stop()

    def close(self) -> None:
        """Stop the replay and join its threads; later reads yield nothing. Safe to call twice."""
        self._holder.close()

    def _start(self) -> Feed[Frame] | None:
        def make() -> Feed[Frame]:
            self.stats = SourceStats()
            return Feed(
                self._produce,
                name=f"framewise-replay:{self.file.path.name}",
                keep_newest=self.keep_newest,
            )

        return self._holder.start(make)

    def _produce(self, feed: Feed[Frame]) -> None:
        """Release each decoded frame at ``t0 + seconds / speed``."""
        stats = self.stats
        frames = self.file.read()  # decodes ahead in its own prefetch thread while we wait
        try:
            t0: float | None = None
            for frame in frames:
                if t0 is None:  # the clock starts at the first frame, after the file opened
                    t0 = time.monotonic() - frame.seconds / self.speed
                if feed.wait(t0 + frame.seconds / self.speed - time.monotonic()):
                    return
                released = dataclasses.replace(frame, arrival=time.monotonic())
                if feed.put(released):
                    stats.dropped += 1
                self._count(stats)
        finally:
            close = getattr(frames, "close", None)
            if callable(close):  # a generator: closing it stops and joins the decode thread
                close()
            self._count(stats)

    def _count(self, stats: SourceStats) -> None:
        """Copy the decoder's counters (it resets its own stats at each read)."""
        decoded = self.file.stats
        for field in dataclasses.fields(SourceStats):
            if field.name not in _OURS:
                setattr(stats, field.name, getattr(decoded, field.name))
