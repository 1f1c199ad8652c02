"""``render_session``: script → frames → H.264 in MKV/MP4 (PyAV's libx264) + ground truth.

Pictures are converted to yuv420p with OpenCV and handed to x264, which encodes on its own
threads while the next frame is painted. Both files appear only when complete (the video is
written beside its final name and renamed; the JSON is written atomically).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import av.error
import av.video.frame
import av.video.stream

from framewise import __version__
from framewise.core.atomic import atomic_output, write_text
from framewise.core.errors import ConfigError, OutputError
from framewise.core.time import format_iso8601, utc
from framewise.synth.compose import FramePainter
from framewise.synth.degrade import Degradation
from framewise.synth.degrader import Degrader
from framewise.synth.groundtruth import (
    GroundTruth,
    GroundTruthMetadata,
    SpanRecorder,
    groundtruth_path,
)
from framewise.synth.script import make_script
from framewise.synth.timing import FrameSchedule, constant_schedule, variable_schedule
from framewise.synth.truth import build_truth
from framewise.synth.vocab import CLASSES

CONTAINERS = {".mkv": "matroska", ".mp4": "mp4"}
"""File name endings ``render_session`` writes, and the FFmpeg muxer of each."""

X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
    "veryslow", "placebo",
)  # fmt: skip
"""x264's presets, fastest first: checked up front, as x264 prints its own error line."""

BASE_START = datetime(2026, 1, 1, 18, 0, tzinfo=UTC)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderSettings:
    """How to render a session.

    Attributes:
        seconds: Length of the session.
        seed: Seed of the script, the textures and the frame timing.
        width: Picture width (even).
        height: Picture height (even).
        fps: Frame rate (the nominal one for VFR).
        vfr: Variable frame rate.
        bitrate: Average bit rate in bit/s; ``None`` picks a realistic one for the size and
            rate (about 3.6 Mbit/s at 720p30 and 12 at 1080p60, ±20 % by seed).
        preset: x264 preset. ``superfast`` encodes about 1.5× faster than OBS's default
            ``veryfast`` and uses the same decoder-side tools (CABAC, B-frames, deblocking).
        gop_seconds: Keyframe interval.
        creation_time: The container's ``creation_time``; ``None`` derives one from the seed.
        start_in_raid: Begin in the middle of a short raid (a recording started in one).
        short_raids: Every raid 15-40 s (more of the rare screens per minute, for training).
        pacing: ``game`` (a whole game in minutes), ``short`` or ``stream`` (raids of 5-30
            min, kills minutes apart, as real recordings); see ``synth.script.PACINGS``.
        degrade: Grain, downscale, bit rate, blur, colour, overlays, UI scale
            (:mod:`framewise.synth.degrade`); ``width``/``height`` are the game's size, the
            video is ``degrade.output_size`` of it.
        degrade_seed: Seed of the degradation's random choices.
    """

    seconds: float
    seed: int = 0
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    vfr: bool = False
    bitrate: int | None = None
    preset: str = "superfast"
    gop_seconds: float = 2.0
    creation_time: datetime | None = None
    start_in_raid: bool = False
    short_raids: bool = False
    pacing: str = "game"
    degrade: Degradation = field(default_factory=Degradation)
    degrade_seed: int = 0

    def output_size(self) -> tuple[int, int]:
        """The video's width and height (the game's, unless downscaled)."""
        return self.degrade.output_size(self.width, self.height)

    def start_time(self) -> datetime:
        """The session's wall-clock start."""
        if self.creation_time is not None:
            return utc(self.creation_time)
        return BASE_START + timedelta(days=self.seed % 365, minutes=(self.seed * 7) % 240)

    def chosen_bitrate(self) -> int:
        """The bit rate to encode at."""
        if self.bitrate is not None:
            return self.bitrate
        if self.degrade.bitrate is not None:
            return self.degrade.bitrate
        width, height = self.output_size()
        pixels = width * height * self.fps
        jitter = 0.8 + 0.4 * ((self.seed * 2654435761) % 1000) / 1000
        return int(0.13 * pixels * (30.0 / self.fps) ** 0.4 * jitter)

    def schedule(self) -> FrameSchedule:
        """When each frame is shown."""
        if self.vfr:
            return variable_schedule(self.seconds, self.fps, self.seed)
        return constant_schedule(self.seconds, self.fps)


def render_session(
    path: str | os.PathLike[str], settings: RenderSettings, progress: Progress | None = None
) -> GroundTruth:
    """Render a synthetic session to ``path`` and its ground truth beside it.

    Args:
        path: The video to write (``.mkv`` or ``.mp4``); the ground truth goes to
            ``<stem>.groundtruth.json`` in the same folder.
        settings: What to render.
        progress: Called with (frames done, frames in all) every few frames.

    Returns:
        The ground truth that was written.

    Raises:
        ConfigError: A setting is out of range or the suffix is not .mkv/.mp4.
        OutputError: The files cannot be written.
    """
    target = Path(path)
    muxer = _check(target, settings)
    schedule = settings.schedule()
    script = make_script(
        settings.seed,
        schedule.duration_seconds,
        settings.start_in_raid,
        settings.short_raids,
        settings.pacing,
    )
    frame_times = [schedule.stored_seconds(i, muxer) for i in range(len(schedule))]
    degrader = Degrader(settings.degrade, settings.degrade_seed, settings.width, settings.height)
    painter = FramePainter(
        script,
        settings.width,
        settings.height,
        ui_scale=degrader.ui_scale,
        world_filter=degrader.blur_world,
    )
    recorder = SpanRecorder()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(target) as partial:
            _encode(
                partial,
                muxer,
                settings,
                schedule,
                frame_times,
                (painter, degrader),
                recorder,
                progress,
            )
    except av.error.ArgumentError as exc:
        raise ConfigError(
            f"x264 refused the settings ({exc.strerror})",
            subject=target,
            hint="check --preset and --bitrate",
        ) from None
    except (av.error.FFmpegError, OSError) as exc:
        raise OutputError(
            f"cannot write the session ({exc.strerror})",
            subject=target,
            hint="check that the folder exists and is writable",
        ) from None
    start = settings.start_time()
    events, screens, raids = build_truth(script, frame_times, start)
    truth = GroundTruth(
        metadata=GroundTruthMetadata(
            video=target.name,
            container=muxer,
            width=settings.output_size()[0],
            height=settings.output_size()[1],
            fps=float(schedule.rate),
            vfr=settings.vfr,
            frame_count=len(schedule),
            duration_seconds=schedule.duration_seconds,
            session_start_time=start,
            seed=settings.seed,
            bitrate=settings.chosen_bitrate(),
            preset=settings.preset,
            generator=f"framewise {__version__}",
            degrade=settings.degrade.label(),
            degrade_seed=settings.degrade_seed,
        ),
        classes=list(CLASSES),
        frame_times=frame_times,
        events=events,
        raids=raids,
        screens=screens,
        elements=recorder.finish(),
    )
    write_text(groundtruth_path(target), truth.model_dump_json(indent=1) + "\n")
    return truth


def _encode(
    partial: Path,
    muxer: str,
    settings: RenderSettings,
    schedule: FrameSchedule,
    frame_times: list[float],
    painting: tuple[FramePainter, Degrader],
    recorder: SpanRecorder,
    progress: Progress | None,
) -> None:
    """Paint, label, degrade and encode every frame of ``schedule`` into ``partial``."""
    painter, degrader = painting
    time_base = schedule.time_base
    total = len(schedule)
    with av.open(str(partial), mode="w", format=muxer) as output:
        output.metadata["creation_time"] = _iso_micros(settings.start_time())
        output.metadata["encoder"] = f"framewise synth {__version__}"
        stream = output.add_stream("libx264", rate=schedule.rate)
        stream.width, stream.height = settings.output_size()
        stream.pix_fmt = "yuv420p"
        stream.time_base = time_base
        ctx = stream.codec_context
        ctx.time_base = time_base
        ctx.gop_size = max(1, round(settings.gop_seconds * schedule.rate))
        ctx.bit_rate = settings.chosen_bitrate()
        ctx.options = {"preset": settings.preset, "x264-params": "scenecut=0"}
        # Frame threads keep both cores busy; PyAV's default (slice threads) halves x264's speed.
        ctx.thread_type = "FRAME"
        # x264 delays frames, so FFmpeg cannot carry each frame's duration over to its
        # packet; set it, or the last frame of a VFR file would seem as short as the rest.
        durations = dict(zip(schedule.pts, schedule.durations, strict=True))
        for index, pts in enumerate(schedule.pts):
            # Paint at the time a decoder will read back (MKV keeps milliseconds), so what is
            # drawn in a frame and what the ground truth says of that frame's time agree.
            image, elements = painter.paint(index, frame_times[index])
            recorder.add(index, degrader.scale_elements(elements))
            planes = degrader.finish(image, frame_times[index], index)
            # A fresh array every frame, so wrapping it without a copy is safe (x264 copies
            # the picture into its own lookahead buffers).
            frame = av.video.frame.VideoFrame.from_numpy_buffer(planes, format="yuv420p")
            frame.pts = pts
            frame.time_base = time_base
            output.mux(_timed(stream.encode(frame), durations))
            if progress is not None and (index % 30 == 0 or index == total - 1):
                progress(index + 1, total)
        output.mux(_timed(stream.encode(None), durations))


def _timed(
    packets: list[av.Packet[av.video.stream.VideoStream]], durations: dict[int, int]
) -> list[av.Packet[av.video.stream.VideoStream]]:
    for packet in packets:
        if packet.pts is not None and packet.pts in durations:
            packet.duration = durations[packet.pts]
    return packets


def _check(target: Path, settings: RenderSettings) -> str:
    muxer = CONTAINERS.get(target.suffix.lower())
    if muxer is None:
        raise ConfigError(
            "sessions are written as .mkv or .mp4",
            subject=target,
            hint="name the output with one of those suffixes",
        )
    w, h = settings.width, settings.height
    if w % 2 or h % 2 or w < 160 or h < 90 or w > 7680 or h > 4320:
        raise ConfigError(
            f"cannot render {w}x{h}",
            subject=target,
            hint="use even sizes from 160x90 up, e.g. --size 1280x720 or 1920x1080",
        )
    if settings.preset not in X264_PRESETS:
        raise ConfigError(
            f"unknown x264 preset {settings.preset!r}",
            subject=target,
            hint=f"use one of: {', '.join(X264_PRESETS)}",
        )
    if settings.bitrate is not None and settings.bitrate <= 0:
        raise ConfigError(f"bitrate must be positive, got {settings.bitrate}", subject=target)
    if not settings.gop_seconds > 0:
        raise ConfigError(f"gop_seconds must be positive, got {settings.gop_seconds}")
    return muxer


def _iso_micros(value: datetime) -> str:
    """``creation_time`` the way FFmpeg writes it (microseconds, ``Z``)."""
    text = format_iso8601(value.replace(microsecond=0))
    return f"{text[:-1]}.{utc(value).microsecond:06d}Z"
