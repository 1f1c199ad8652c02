"""Probe a video: duration, frame count, frame rate, VFR, codec, size, rotation, session start."""

from __future__ import annotations

import itertools
import logging
import os
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av.container
import av.error
import av.video.stream

from framewise.core.errors import ConfigError, CorruptVideoError
from framewise.core.time import SessionStart, format_iso8601, parse_iso8601
from framewise.sources.container import (
    container_duration,
    ends_early,
    open_video,
    stream_time_base,
)

log = logging.getLogger(__name__)

SCAN_PACKETS = 20_000
"""Packets whose timestamps a probe reads to judge VFR (about 5.5 min at 60 fps)."""

VFR_JITTER_S = 0.0015
VFR_SHARE = 0.01
# A stream is VFR when over 1 % of its frame intervals differ from the median by > 1.5 ms.

FrameCountOrigin = Literal["header", "tags", "counted", "estimated"]


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe` found out about a video file."""

    path: str
    container: str
    codec: str
    width: int
    height: int
    rotation: int
    duration_seconds: float
    frame_count: int
    frame_count_origin: FrameCountOrigin
    avg_fps: float
    vfr: bool
    time_base: Fraction
    bit_rate: int | None
    has_audio: bool
    session_start: SessionStart
    truncated: bool = False
    header_duration_seconds: float | None = None

    @property
    def display_size(self) -> tuple[int, int]:
        """``(width, height)`` after applying the rotation."""
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the ``--json`` output of ``framewise probe``)."""
        width, height = self.display_size
        return {
            "path": self.path,
            "container": self.container,
            "codec": self.codec,
            "width": width,
            "height": height,
            "coded_width": self.width,
            "coded_height": self.height,
            "rotation": self.rotation,
            "duration_seconds": round(self.duration_seconds, 6),
            "frame_count": self.frame_count,
            "frame_count_origin": self.frame_count_origin,
            "avg_fps": round(self.avg_fps, 4),
            "vfr": self.vfr,
            "time_base": str(self.time_base),
            "bit_rate": self.bit_rate,
            "has_audio": self.has_audio,
            "session_start": format_iso8601(self.session_start.time),
            "session_start_origin": self.session_start.origin,
            "truncated": self.truncated,
            "header_duration_seconds": (
                None
                if self.header_duration_seconds is None
                else round(self.header_duration_seconds, 6)
            ),
        }


def creation_time(container: av.container.InputContainer) -> datetime | None:
    """The container's ``creation_time`` tag (OBS writes the recording's start), if plausible."""
    tags = [container.metadata, *(s.metadata for s in container.streams)]
    for tag in tags:
        text = tag.get("creation_time") or tag.get("CREATION_TIME")
        if not text:
            continue
        try:
            value = parse_iso8601(text.replace(" ", "T", 1))
        except ConfigError:
            continue
        # MP4 muxers write 1904-01-01 or 1970-01-01 when they know no time.
        if value.year >= 1990:
            return value
    return None


def resolve_session_start(
    path: str | os.PathLike[str],
    container_time: datetime | None,
    duration_seconds: float,
    user: datetime | None = None,
) -> SessionStart:
    """Choose the session start: the user's, else the container's, else mtime − duration.

    A file's mtime is when the recorder stopped writing, so the start is that minus the
    duration.
    """
    if user is not None:
        return SessionStart(user.astimezone(UTC), "user")
    if container_time is not None:
        return SessionStart(container_time, "container")
    mtime = datetime.fromtimestamp(Path(path).stat().st_mtime, tz=UTC)
    return SessionStart(mtime - timedelta(seconds=duration_seconds), "mtime")


def normalise_rotation(degrees: float) -> int:
    """Round a display-matrix angle to a multiple of 90 in (-180, 180]."""
    turns = round(degrees / 90.0) % 4
    return {0: 0, 1: 90, 2: 180, 3: -90}[turns]


def _scan_packets(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, limit: int | None
) -> tuple[list[int], bool, int | None]:
    """One demux pass over the video packets.

    Returns:
        The PTS of the first ``limit`` packets, whether the scan reached the end, and the
        display rotation from the first decodable frame (the only one decoded; ``None``
        when no frame decodes at all).
    """
    pts: list[int] = []
    rotation: int | None = None
    try:
        for packet in container.demux(stream):
            if rotation is None and packet.size:
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    frames = []
                if frames:
                    rotation = normalise_rotation(frames[0].rotation)
            if packet.pts is not None and packet.size:
                pts.append(int(packet.pts))
            if limit is not None and len(pts) >= limit:
                return pts, False, rotation
    except av.error.FFmpegError:
        pass  # a truncated tail ends the scan like EOF does
    if rotation is None:
        try:  # a short file: the decoder may hold its only frames until flushed
            frames = stream.codec_context.decode(None)
        except av.error.FFmpegError:
            frames = []
        if frames:
            rotation = normalise_rotation(frames[0].rotation)
    return pts, True, rotation


def is_vfr(pts: list[int], time_base: Fraction) -> bool:
    """Whether packets with these PTS make a variable-frame-rate stream (see ``VFR_SHARE``)."""
    if len(pts) < 3:
        return False
    ordered = sorted(pts)
    intervals = [float((b - a) * time_base) for a, b in itertools.pairwise(ordered)]
    median = statistics.median(intervals)
    off = sum(1 for d in intervals if abs(d - median) > VFR_JITTER_S)
    return off > VFR_SHARE * len(intervals)


def _tag_frame_count(stream: av.video.stream.VideoStream) -> int | None:
    for key, value in stream.metadata.items():
        if key.upper().startswith("NUMBER_OF_FRAMES"):
            try:
                return int(value)
            except ValueError:
                return None
    return None


def probe(
    path: str | os.PathLike[str],
    *,
    start_time: datetime | None = None,
    count_frames: bool = False,
) -> VideoInfo:
    """Inspect a video file without decoding more than its first frame.

    Args:
        path: The video file.
        start_time: The session start, overriding the container and the mtime.
        count_frames: Read every packet's timestamp for an exact frame count and VFR verdict
            (demux only, no decoding); otherwise the first :data:`SCAN_PACKETS` are read.

    Raises:
        InputError: The file is missing, not a video, or damaged (see ``core.errors``).
    """
    container, stream = open_video(path)
    try:
        time_base = stream_time_base(stream)
        duration = header = container_duration(container, stream)
        truncated = False
        pts, complete, rotation = _scan_packets(
            container, stream, None if count_frames else SCAN_PACKETS
        )
        if rotation is None or (not pts and (complete or duration is None)):
            raise CorruptVideoError(
                "holds no decodable video frames",
                subject=Path(path),
                hint="the file is damaged or was cut before its first frame",
            )
        if pts and (complete or duration is None):
            span = float((max(pts) - min(pts)) * time_base)
            frame_period = span / (len(pts) - 1) if len(pts) > 1 else 0.0
            scanned_duration = span + frame_period
            # A truncated file's header still claims the full length: trust the packets,
            # and say so (the same rule as a read's warning, on the last packet's time).
            if duration is None or (complete and abs(duration - scanned_duration) >= 1.0):
                duration = scanned_duration
            truncated = complete and ends_early(span, header)
            if truncated:
                log.warning(
                    "%s: ends at %.2f s but its header says %.2f s (truncated?)",
                    path,
                    span,
                    header,
                )
        duration = duration or 0.0
        frame_count, origin = _frame_count(stream, pts, complete, duration)
        avg_fps = _average_fps(stream, pts, time_base)
        ctx = stream.codec_context
        return VideoInfo(
            path=str(path),
            container=container.format.name,
            codec=ctx.name,
            width=ctx.width,
            height=ctx.height,
            rotation=rotation or 0,
            duration_seconds=duration,
            frame_count=frame_count,
            frame_count_origin=origin,
            avg_fps=avg_fps,
            vfr=is_vfr(pts, time_base),
            time_base=time_base,
            bit_rate=container.bit_rate or None,
            has_audio=bool(container.streams.audio),
            session_start=resolve_session_start(
                path, creation_time(container), duration, start_time
            ),
            truncated=truncated,
            header_duration_seconds=header,
        )
    finally:
        container.close()


def _average_fps(stream: av.video.stream.VideoStream, pts: list[int], time_base: Fraction) -> float:
    """Frames per second over the scanned span; the header's rate when too little was seen."""
    if len(pts) > 1:
        span = float((max(pts) - min(pts)) * time_base)
        if span > 0:
            return (len(pts) - 1) / span
    return float(stream.average_rate or stream.guessed_rate or 0)


def _frame_count(
    stream: av.video.stream.VideoStream, pts: list[int], complete: bool, duration: float
) -> tuple[int, FrameCountOrigin]:
    if complete:
        return len(pts), "counted"
    if stream.frames:
        return int(stream.frames), "header"
    tagged = _tag_frame_count(stream)
    if tagged:
        return tagged, "tags"
    rate = stream.average_rate or stream.guessed_rate
    return round(duration * float(rate or 0)), "estimated"
