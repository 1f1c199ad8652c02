"""Synthetic video clips that compress like real footage, made with PyAV's own libx264.

A clip shows a textured scene under a slow camera pan, film grain, a few moving shapes,
the frame number and time in large digits, and the same two numbers as a binary stripe in
the top-left corner that :func:`read_stamp` decodes from a decoded picture. So a test can
check, for every frame it gets back, which frame it is and when it was shown, and a
benchmark gets a file whose bit rate and decode cost are those of real recordings.

The textures and grain are rendered once and then shifted or cycled, so making a frame
costs a few array copies; encoding dominates. No ``ffmpeg`` command is needed.

Example:
    >>> info = make_clip("clip.mkv", seconds=2, width=320, height=180, fps=30)  # doctest: +SKIP
    >>> info.frame_count, info.duration_seconds  # doctest: +SKIP
    (60, 2.0)
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import av
import av.error
import av.video.frame
import av.video.stream
import numpy as np

from framewise.core.atomic import atomic_output
from framewise.core.errors import ConfigError, OutputError
from framewise.core.frames import Image
from framewise.core.time import format_iso8601, utc
from framewise.testing.painter import STAMP_BITS, Painter, stamp_block

CONTAINERS = {".mkv": "matroska", ".mp4": "mp4"}
"""File name endings :func:`make_clip` writes, and the FFmpeg muxer for each."""

VFR_TIME_BASE = Fraction(1, 90_000)
"""Codec time base of variable-frame-rate clips (MPEG's 90 kHz clock; MKV stores ms)."""


@dataclass(frozen=True)
class ClipInfo:
    """What :func:`make_clip` wrote.

    Attributes:
        path: The clip.
        width: Picture width in pixels.
        height: Picture height in pixels.
        frame_times: Presentation time of every frame, in seconds from the first, as
            encoded (MKV then rounds them to whole milliseconds).
        frame_durations: How long each frame is on screen, in seconds.
        gop_frames: Frames from one keyframe to the next.
        preset: The x264 preset used.
        creation_time: The container's ``creation_time`` tag, if one was written.
    """

    path: Path
    width: int
    height: int
    frame_times: tuple[float, ...]
    frame_durations: tuple[float, ...]
    gop_frames: int
    preset: str
    creation_time: datetime | None

    @property
    def frame_count(self) -> int:
        """Frames in the clip."""
        return len(self.frame_times)

    @property
    def duration_seconds(self) -> float:
        """From the first frame's time to the end of the last frame."""
        return self.frame_times[-1] + self.frame_durations[-1] if self.frame_times else 0.0

    @property
    def keyframe_indices(self) -> tuple[int, ...]:
        """Indices of the keyframes (x264 runs with a fixed GOP and no scene-cut keyframes)."""
        return tuple(range(0, self.frame_count, self.gop_frames))

    @property
    def bit_rate(self) -> float:
        """Average bits per second of the whole file."""
        return self.path.stat().st_size * 8 / self.duration_seconds


@dataclass(frozen=True)
class Stamp:
    """The frame number and time burnt into a clip's picture."""

    index: int
    millis: int

    @property
    def seconds(self) -> float:
        """The burnt-in time in seconds."""
        return self.millis / 1000.0


def frame_schedule(
    seconds: float, fps: float, vfr_segments: Sequence[tuple[float, float]] | None = None
) -> list[tuple[Fraction, Fraction]]:
    """Presentation time and on-screen duration of each frame, as exact fractions.

    Args:
        seconds: Length of a constant-rate clip.
        fps: Its frame rate (``30000/1001``-style rates may be given as ``29.97``).
        vfr_segments: ``(seconds, fps)`` stretches played one after the other; when given,
            they replace ``seconds`` and ``fps``.
    """
    segments = vfr_segments if vfr_segments is not None else [(seconds, fps)]
    if not segments:
        raise ConfigError("vfr_segments is empty", hint="give at least one (seconds, fps) pair")
    schedule: list[tuple[Fraction, Fraction]] = []
    start = Fraction(0)
    for length, rate in segments:
        if not (length > 0 and rate > 0 and math.isfinite(length) and math.isfinite(rate)):
            raise ConfigError(
                f"bad clip segment: {length} s at {rate} fps",
                hint="seconds and fps must be positive numbers",
            )
        span, period = _fraction(length), 1 / _fraction(rate)
        count = math.ceil(span / period)
        schedule.extend((start + k * period, period) for k in range(count))
        start += span
    return schedule


def make_clip(
    path: str | os.PathLike[str],
    *,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 180,
    fps: float = 30.0,
    gop_seconds: float = 2.0,
    bitrate: int | None = None,
    crf: float | None = None,
    noise: float = 0.5,
    creation_time: datetime | None = None,
    vfr_segments: Sequence[tuple[float, float]] | None = None,
    preset: str = "veryfast",
    seed: int = 0,
) -> ClipInfo:
    """Encode a synthetic H.264 clip (yuv420p) to ``path``; MKV or MP4 by its suffix.

    The file appears only when complete (written beside it, then renamed).

    Args:
        path: Where to write; ``.mkv`` or ``.mp4``.
        seconds: Length of a constant-rate clip.
        width: Picture width (even, at least 96 for the stamp).
        height: Picture height (even, at least 32).
        fps: Frame rate of a constant-rate clip.
        gop_seconds: Keyframe interval; x264 runs with ``scenecut=0`` so it is exact. In a
            variable-rate clip it counts frames at the fastest segment's rate.
        bitrate: Average bit rate (x264 ABR), e.g. ``10_000_000``; exclusive with ``crf``.
        crf: x264 constant rate factor; the default when no ``bitrate`` is given is 23.
        noise: 0 for flat synthetic pictures that compress to almost nothing, up to 1 for
            heavy texture and grain; 0.5 compresses like game or camera footage.
        creation_time: Written as the container's ``creation_time`` (as OBS does).
        vfr_segments: ``(seconds, fps)`` stretches for a variable-frame-rate clip; they
            replace ``seconds`` and ``fps``.
        preset: x264 preset. ``veryfast`` is OBS's default, so the decoder meets the same
            tools (CABAC, B-frames, deblocking) as in real recordings.
        seed: Seed of the textures, so the same arguments make the same pictures.

    Returns:
        What was written, including every frame's time.

    Raises:
        ConfigError: An argument is out of range, or the suffix is not .mkv/.mp4.
    """
    target = Path(path)
    muxer = CONTAINERS.get(target.suffix.lower())
    if muxer is None:
        raise ConfigError(
            "clips are written as .mkv or .mp4",
            subject=target,
            hint="name the clip with one of those suffixes",
        )
    _check_args(target, width, height, noise, bitrate, crf, gop_seconds)
    schedule = frame_schedule(seconds, fps, vfr_segments)
    vfr = vfr_segments is not None
    top_rate = max(_fraction(rate) for _, rate in vfr_segments) if vfr_segments else _fraction(fps)
    time_base = VFR_TIME_BASE if vfr else 1 / top_rate
    gop = max(1, round(gop_seconds * top_rate))
    painter = Painter(width, height, noise=noise, seed=seed)
    try:
        settings = _Settings(muxer, top_rate, time_base, gop, preset, bitrate, crf, creation_time)
        with atomic_output(target) as partial:
            _encode(partial, settings, schedule, painter)
    except av.error.ArgumentError as exc:
        raise ConfigError(
            f"x264 refused the settings ({exc.strerror})",
            subject=target,
            hint="check the preset name, bitrate and crf",
        ) from None
    except (av.error.FFmpegError, OSError) as exc:
        raise OutputError(
            f"cannot write the clip ({exc.strerror})",
            subject=target,
            hint="check that the folder exists and is writable",
        ) from None
    return ClipInfo(
        path=target,
        width=width,
        height=height,
        frame_times=tuple(float(round(start / time_base) * time_base) for start, _ in schedule),
        frame_durations=tuple(float(period) for _, period in schedule),
        gop_frames=gop,
        preset=preset,
        creation_time=utc(creation_time) if creation_time is not None else None,
    )


@dataclass(frozen=True)
class _Settings:
    """How :func:`_encode` sets up the muxer and x264."""

    muxer: str
    rate: Fraction
    time_base: Fraction
    gop: int
    preset: str
    bitrate: int | None
    crf: float | None
    creation_time: datetime | None


def _encode(
    partial: Path,
    settings: _Settings,
    schedule: list[tuple[Fraction, Fraction]],
    painter: Painter,
) -> None:
    """Paint and encode every frame of ``schedule`` into ``partial``."""
    time_base = settings.time_base
    with av.open(str(partial), mode="w", format=settings.muxer) as output:
        if settings.creation_time is not None:
            output.metadata["creation_time"] = _iso_micros(settings.creation_time)
        stream = output.add_stream("libx264", rate=settings.rate)
        stream.width, stream.height, stream.pix_fmt = painter.width, painter.height, "yuv420p"
        stream.time_base = time_base
        ctx = stream.codec_context
        ctx.time_base = time_base
        ctx.gop_size = settings.gop
        options = {"preset": settings.preset, "x264-params": "scenecut=0"}
        if settings.bitrate is not None:
            ctx.bit_rate = settings.bitrate
        else:
            options["crf"] = f"{23.0 if settings.crf is None else settings.crf:g}"
        ctx.options = options
        # x264 delays frames, so FFmpeg cannot carry each frame's duration over to its
        # packet; set it, or the last frame of a VFR clip would seem as short as the rest.
        durations = {
            round(start / time_base): round(period / time_base) for start, period in schedule
        }
        for index, (start, _) in enumerate(schedule):
            planes = painter.paint(index, float(start))
            frame = av.video.frame.VideoFrame.from_ndarray(planes, format="yuv420p")
            frame.pts = round(start / time_base)
            frame.time_base = time_base
            output.mux(_timed(stream.encode(frame), durations))
        output.mux(_timed(stream.encode(None), durations))


def read_stamp(image: Image) -> Stamp:
    """Decode the frame number and time from a clip's picture (BGR, at the size it was made).

    Each bit is read as the mean of its block's centre, so compression and the loop
    filter do not flip it.
    """
    height, width = image.shape[:2]
    block = stamp_block(width)
    if width < STAMP_BITS * block or height < 2 * block:
        raise ValueError(f"a {width}x{height} picture is too small to hold a clip stamp")
    inset = block // 4
    rows = []
    for row in range(2):
        y0 = row * block + inset
        cells = image[y0 : y0 + block - 2 * inset, : STAMP_BITS * block].astype(np.float32)
        cells = cells.reshape(block - 2 * inset, STAMP_BITS, block, -1)[:, :, inset:-inset]
        bits = cells.mean(axis=(0, 2, 3)) > 128.0
        rows.append(sum(1 << (STAMP_BITS - 1 - j) for j, bit in enumerate(bits) if bit))
    return Stamp(index=rows[0], millis=rows[1])


def _timed(
    packets: list[av.Packet[av.video.stream.VideoStream]], durations: dict[int, int]
) -> list[av.Packet[av.video.stream.VideoStream]]:
    """Give each packet its frame's duration (x264's delay loses it in FFmpeg)."""
    for packet in packets:
        if packet.pts is not None and packet.pts in durations:
            packet.duration = durations[packet.pts]
    return packets


def _check_args(
    target: Path,
    width: int,
    height: int,
    noise: float,
    bitrate: int | None,
    crf: float | None,
    gop_seconds: float,
) -> None:
    if width % 2 or height % 2 or width < STAMP_BITS * 4 or height < 32:
        raise ConfigError(
            f"cannot make a {width}x{height} clip",
            subject=target,
            hint=f"use even sizes of at least {STAMP_BITS * 4}x32",
        )
    if not 0.0 <= noise <= 1.0:
        raise ConfigError(
            f"noise must be in [0, 1], got {noise}",
            subject=target,
            hint="0 is flat, 0.5 is like real footage, 1 is heavy grain",
        )
    if bitrate is not None and crf is not None:
        raise ConfigError(
            "give bitrate or crf, not both",
            subject=target,
            hint="bitrate for a target size, crf for a target quality",
        )
    if bitrate is not None and bitrate <= 0:
        raise ConfigError(
            f"bitrate must be positive, got {bitrate}",
            subject=target,
            hint="bits per second, e.g. 10_000_000",
        )
    if not gop_seconds > 0:
        raise ConfigError(
            f"gop_seconds must be positive, got {gop_seconds}",
            subject=target,
            hint="2 s is common for recordings and streams",
        )


def _fraction(value: float) -> Fraction:
    """``29.97`` as ``2997/100``, ``30000/1001`` as itself: the simplest nearby fraction."""
    return Fraction(value).limit_denominator(1001)


def _iso_micros(value: datetime) -> str:
    """``creation_time`` the way FFmpeg writes it (microseconds, ``Z``)."""
    text = format_iso8601(value.replace(microsecond=0))
    return f"{text[:-1]}.{utc(value).microsecond:06d}Z"
