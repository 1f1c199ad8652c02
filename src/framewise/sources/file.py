"""FileSource: frames of a video file with true presentation times (PyAV).

Times are PTS × time_base minus the stream's start, so variable-frame-rate files and
streams that start late keep true times; files whose PTS come in decode order (AVI with
B-frames) use the decoder's best-effort timestamps instead. ``Frame.index`` is the frame's
index in the video, the same however the file is read (see :mod:`.timing`). Only the frames
that are handed out are converted to BGR (and scaled, and rotated upright); the rest are
decoded and dropped.
"""

from __future__ import annotations

import copy
import logging
import os
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Self

import av.container
import av.error
import av.video.frame
import av.video.stream
import cv2

from framewise.config.base import SourceConfig
from framewise.core.errors import CorruptVideoError
from framewise.core.frames import Frame, Image
from framewise.core.time import SessionStart, seconds_to_pts
from framewise.sources.base import SourceStats, VideoSource, prefetch
from framewise.sources.container import (
    container_duration,
    ends_early,
    open_video,
    stream_time_base,
)
from framewise.sources.hwaccel import hardware_decoder
from framewise.sources.probe import creation_time, normalise_rotation, resolve_session_start
from framewise.sources.sampling import TimeSampler, nearest_tick
from framewise.sources.timing import (
    FrameClock,
    StreamTiming,
    all_packet_pts,
    counts_packets,
    scan_timing,
)

log = logging.getLogger(__name__)

_ROTATE = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, -90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180}


@dataclass(frozen=True)
class DecodeOptions:
    """Decoder settings that trade work analytics does not need for speed.

    Attributes:
        keyframes_only: Decode keyframes only (``skip_frame=NONKEY``): a coarse scan that
            reads a 2 s-GOP file tens of times faster than a full decode.
        skip_nonref: Drop non-reference frames (``skip_frame=NONREF``); at 10 fps sampling
            x264/x265 footage with B-pyramids still has a frame in every 100 ms slot.
        skip_loop_filter: Skip the in-loop deblocking filter (slightly softer pictures).
        threads: Decoder threads; 0 lets FFmpeg choose (frame + slice threading).
        hwaccel: A hardware device type to decode on (``cuda``); see :func:`hardware_decoder`.

    A file without presentation timestamps (AVI with B-frames) ignores the two frame skips:
    its frames are timed by the DTS that releases them, which skipped frames would shift.
    """

    keyframes_only: bool = False
    skip_nonref: bool = False
    skip_loop_filter: bool = False
    threads: int = 0
    hwaccel: str | None = None

    @classmethod
    def from_config(cls, config: SourceConfig) -> DecodeOptions:
        """The decoder options a ``source:`` asks for (``read: keyframes`` is a keyframe scan).

        The one translation batch, live and replay share, so they pick the same frames.
        """
        decode = config.decode
        return cls(
            keyframes_only=config.read == "keyframes" or decode.skip_frame == "NONKEY",
            skip_nonref=decode.skip_frame == "NONREF",
            skip_loop_filter=decode.skip_loop_filter not in ("NONE", "DEFAULT"),
            threads=decode.threads,
            hwaccel=decode.hwaccel,
        )


class FileSource(VideoSource):
    """Frames of one video file.

    ``duration`` is the container's, ``frame_rate`` the stream's average (else guessed)
    rate, exact (``nominal_fps`` is the same as a float); a file is seekable.

    Args:
        path: The video file.
        sample_fps: Frames per second to keep, chosen by time (the frame nearest each tick);
            ``None`` keeps every frame.
        start: Seconds to start at; the first frame is the one on screen at that time.
        end: Seconds to stop before.
        size: ``(width, height)`` to scale kept frames to, after rotation.
        session_start: Wall-clock time of the first frame; else the container's
            ``creation_time``, else the file's mtime minus its duration.
        decode: Decoder options.
        prefetch: Frames decoded ahead in a background thread (0: no thread).

    Example:
        >>> with FileSource("match.mkv", sample_fps=10) as source:  # doctest: +SKIP
        ...     for batch in source.read_batches(8):
        ...         print(batch[0].seconds, batch[0].wall_time)
    """

    seekable = True

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sample_fps: float | None = None,
        start: float = 0.0,
        end: float | None = None,
        size: tuple[int, int] | None = None,
        session_start: datetime | SessionStart | None = None,
        decode: DecodeOptions | None = None,
        prefetch: int = 8,
    ) -> None:
        self.path = Path(path)
        self.source_id = str(path)
        self.sample_fps = sample_fps
        self.size = size
        self.decode_options = decode or DecodeOptions()
        self.prefetch = prefetch
        self.stats = SourceStats()
        self._start = max(0.0, start)
        self._after: float | None = None
        self._end = end
        self._timing: StreamTiming | None = None  # found at the first read, then kept
        self._packet_pts: array[int] | None = None
        container, stream = open_video(self.path)  # fail fast on a bad file
        self._hwaccel = hardware_decoder(self.decode_options.hwaccel, self.path)
        try:
            self.time_base = stream_time_base(stream)
            self.duration = container_duration(container, stream)
            rate = stream.average_rate or stream.guessed_rate
            self.frame_rate = Fraction(rate) if rate else None
            self.nominal_fps = float(rate) if rate else 0.0
            if isinstance(session_start, SessionStart):
                self.session_start = session_start
            else:
                self.session_start = resolve_session_start(
                    self.path, creation_time(container), self.duration or 0.0, session_start
                )
        finally:
            container.close()

    @classmethod
    def from_config(
        cls,
        config: SourceConfig,
        path: str | os.PathLike[str],
        *,
        session_start: datetime | SessionStart | None = None,
    ) -> FileSource:
        """The file ``path`` read as ``config`` (a pipeline's ``source:``) says.

        Sampling, decoder options and the read-ahead (``queue_size`` batches) follow it.
        """
        return cls(
            path,
            sample_fps=config.sample_fps,
            session_start=session_start,
            decode=DecodeOptions.from_config(config),
            prefetch=config.queue_size * config.batch_size,
        )

    def seek(self, seconds: float) -> Self:
        """Start the next :meth:`read` at the frame on screen at ``seconds``."""
        self._start = max(0.0, seconds)
        self._after = None
        return self

    def resume_after(self, seconds: float) -> Self:
        """Start the next :meth:`read` just after a frame already handed out at ``seconds``.

        With sampling, reading resumes at the next tick of the same absolute grid, so an
        interrupted job continues with exactly the frames an uninterrupted one would see.
        """
        self._start = max(0.0, seconds)
        self._after = seconds
        return self

    def span(
        self, start: float, end: float | None = None, *, keyframes: bool = False
    ) -> FileSource:
        """A reader of ``[start, end)`` of this file: the dense read of a time range.

        It seeks to the keyframe before ``start`` and decodes forward, sampling on the same
        absolute grid as a whole read (so it picks the frames a whole read picks there);
        ``keyframes`` makes it a keyframes-only scan instead (every keyframe, no sampling).
        The copy shares this source's timing scan and has its own ``stats``.
        """
        other = copy.copy(self)
        other.stats = SourceStats()
        other._start = max(0.0, start)
        other._after = None
        other._end = end
        if keyframes:
            other.sample_fps = None
            other.decode_options = replace(self.decode_options, keyframes_only=True)
        # Scanned once here, not once per copy (a VFR file's packet list is a whole demux).
        timing = self.timing()
        other._timing, other._packet_pts = timing, self._all_packets(timing)
        return other

    def _all_packets(self, timing: StreamTiming) -> array[int] | None:
        """Every packet's PTS (one demux, kept) where frames are numbered by counting packets."""
        if not counts_packets(timing, self.frame_rate):
            return None
        if self._packet_pts is None:
            self._packet_pts = all_packet_pts(self.path, timing.first)
        return self._packet_pts

    def read(self) -> Iterator[Frame]:
        """Yield frames (sampled by time when ``sample_fps`` is set) in presentation order."""
        self.stats = SourceStats()
        return prefetch(self._frames(), self.prefetch, name=f"decode:{self.path.name}")

    def timing(self) -> StreamTiming:
        """How this file's frames are timed and numbered (scanned once, from its start)."""
        if self._timing is None:
            self._timing = scan_timing(self.path)
            if self._timing.reordered and self._skips():
                log.info(
                    "%s: timestamps are in decode order (B-frames without PTS): every frame "
                    "is decoded so each gets its true time",
                    self.path,
                )
        return self._timing

    def _frames(self) -> Iterator[Frame]:
        timing = self.timing()
        seeked = self._start > 0
        # Frames before the seek point are never demuxed by this read: count them all.
        packets = self._all_packets(timing) if seeked else None
        clock = FrameClock(timing, self.time_base, self.frame_rate, packets=packets)
        container, stream = open_video(self.path, self._hwaccel)
        try:
            self._configure(stream, timing)
            if seeked:
                container.seek(
                    seconds_to_pts(self._start, self.time_base, timing.origin),
                    stream=stream,
                    backward=True,
                    any_frame=False,
                )
            yield from self._select(self._timed(container, stream, clock))
        finally:
            container.close()

    def _skips(self) -> bool:
        return self.decode_options.keyframes_only or self.decode_options.skip_nonref

    def _configure(self, stream: av.video.stream.VideoStream, timing: StreamTiming) -> None:
        options = self.decode_options
        stream.thread_type = "AUTO"
        stream.thread_count = options.threads
        ctx = stream.codec_context
        # Skipped frames would shift the DTS that time a reordered file: decode them all.
        if options.keyframes_only and not timing.reordered:
            ctx.skip_frame = "NONKEY"
        elif options.skip_nonref and not timing.reordered:
            ctx.skip_frame = "NONREF"
        if options.skip_loop_filter:
            ctx.options = {**ctx.options, "skip_loop_filter": "all"}

    def _timed(
        self,
        container: av.container.InputContainer,
        stream: av.video.stream.VideoStream,
        clock: FrameClock,
    ) -> Iterator[tuple[float, int, av.video.frame.VideoFrame]]:
        """Decoded frames with their seconds and index; bad packets and frames are counted."""
        seeked = self._start > 0
        # A reordered file decodes every frame (see _configure): keep a keyframe scan's own.
        keyframes = self.decode_options.keyframes_only and clock.timing.reordered
        last_seconds = -1.0
        for av_frame in self._decoded(container, stream, clock):
            self.stats.decoded += 1
            seconds, index = clock.place(av_frame)
            if keyframes and not av_frame.key_frame:
                self.stats.skipped += 1
                continue
            if av_frame.is_corrupt:
                # Concealed errors: FFmpeg still made a picture of it. Keep it, count it.
                self.stats.corrupt_frames += 1
            last_seconds = seconds
            yield seconds, index, av_frame
        if self.stats.decoded == 0 and not seeked:
            raise CorruptVideoError(
                "no frame could be decoded",
                subject=self.path,
                hint="the file is damaged or was cut before its first frame",
            )
        # A keyframe scan ends at the last keyframe, up to a GOP before the end: not a cut.
        if (
            self._end is None
            and not self.decode_options.keyframes_only
            and last_seconds >= 0
            and ends_early(last_seconds, self.duration)
        ):
            self.stats.truncated = True
            log.warning(
                "%s: ends at %.2f s but its header says %.2f s (truncated?)",
                self.path,
                last_seconds,
                self.duration,
            )

    def _decoded(
        self,
        container: av.container.InputContainer,
        stream: av.video.stream.VideoStream,
        clock: FrameClock,
    ) -> Iterator[av.video.frame.VideoFrame]:
        try:
            for packet in container.demux(stream):
                clock.saw(packet)
                try:
                    yield from packet.decode()
                except av.error.EOFError:
                    return
                except (av.error.InvalidDataError, av.error.UndefinedError):
                    self.stats.corrupt_packets += 1
        except av.error.FFmpegError as exc:
            # A cut or damaged tail: keep what came before, then drain the decoder.
            self.stats.truncated = True
            log.warning(
                "%s: stopped reading at a damaged or missing part (%s)", self.path, exc.strerror
            )
            try:
                yield from stream.codec_context.decode(None)
            except av.error.FFmpegError:
                return

    def _select(
        self, timed: Iterator[tuple[float, int, av.video.frame.VideoFrame]]
    ) -> Iterator[Frame]:
        """Apply seek, end and sampling; convert only the frames that are kept."""
        end = self._end
        if self.sample_fps:
            first: int | None = None  # a read from the start serves from the first frame
            if self._start > 0 or self._after is not None:
                # After an interruption, the tick at `_after` was handed out already.
                first = nearest_tick(self._start, self.sample_fps) + (self._after is not None)
            sampler: TimeSampler[tuple[int, av.video.frame.VideoFrame]]
            sampler = TimeSampler(self.sample_fps, first_tick=first)
            for seconds, index, av_frame in timed:
                if end is not None and seconds >= end:
                    break
                for sample in sampler.update(seconds, (index, av_frame)):
                    yield self._frame(sample.seconds, *sample.item)
            for sample in sampler.flush():
                yield self._frame(sample.seconds, *sample.item)
            self.stats.skipped += sampler.skipped
            self.stats.gaps += sampler.gaps
            return
        # Every frame from the one on screen at `start`: hold one frame back until the
        # next shows whether it was still on screen at `start`.
        held: tuple[float, int, av.video.frame.VideoFrame] | None = None
        started = self._start <= 0
        for seconds, index, av_frame in timed:
            if end is not None and seconds >= end:
                break
            if self._after is not None:
                if seconds <= self._after + 1e-6:
                    self.stats.skipped += 1
                    continue
                started = True
            if not started:
                if seconds <= self._start + 1e-6:
                    if held is not None:
                        self.stats.skipped += 1
                    held = (seconds, index, av_frame)
                    continue
                started = True
                if held is not None:
                    yield self._frame(*held)
                    held = None
            yield self._frame(seconds, index, av_frame)
        if held is not None:
            yield self._frame(*held)

    def _frame(self, seconds: float, index: int, av_frame: av.video.frame.VideoFrame) -> Frame:
        self.stats.kept += 1
        return Frame(
            image=self._image(av_frame),
            index=index,
            seconds=seconds,
            wall_time=self.session_start.wall_time(seconds),
            source_id=self.source_id,
        )

    def _image(self, av_frame: av.video.frame.VideoFrame) -> Image:
        return to_bgr(av_frame, self.size)


def to_bgr(av_frame: av.video.frame.VideoFrame, size: tuple[int, int] | None = None) -> Image:
    """Convert a decoded frame to BGR, scaled to ``size`` and turned upright.

    Scaling happens in the same swscale pass as the colour conversion; ``size`` is the
    upright ``(width, height)``, so a rotated stream is scaled to the swapped size first.
    """
    rotation = normalise_rotation(av_frame.rotation)
    if size is None:
        image: Image = av_frame.to_ndarray(format="bgr24")  # type: ignore[assignment]
    else:
        width, height = size if rotation % 180 == 0 else size[::-1]
        image = av_frame.to_ndarray(  # type: ignore[assignment]
            format="bgr24", width=width, height=height
        )
    if rotation:
        image = cv2.rotate(image, _ROTATE[rotation])  # type: ignore[assignment]
    return image
