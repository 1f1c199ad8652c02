"""Cutting spans out of a video with ffmpeg: stream copy where keyframes allow, else re-encode.

Shared by the everyday profiles: ``framewise split`` cuts a video at its scenes, ``framewise
clips`` cuts out motion events. A span whose start lies on a keyframe (within half a frame)
is copied packet for packet — fast and lossless; any other start would copy from the keyframe
before it (frames that belong to the scene before), so that span is re-encoded (x264 veryfast,
visually lossless CRF 18). Each clip is written under a temporary name and renamed when complete.

Example:
    >>> spans = [Span(1, 0.0, 3.754), Span(2, 3.754, 8.759)]
    >>> cut_spans("film.mp4", spans, "scenes/", "film-Scene")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import subprocess
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

import av
import av.error

from framewise.core.atomic import atomic_output
from framewise.core.errors import InputError, OutputError

FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".webm": "webm"}
"""Container suffix → ffmpeg muxer (the temporary name hides the suffix from ffmpeg)."""


@dataclass(frozen=True)
class Span:
    """A part of a video to cut out: ``[start, end)`` in seconds from the stream's start."""

    number: int
    start: float
    end: float


@dataclass(frozen=True)
class Clip:
    """One written clip and whether its packets were copied (else re-encoded)."""

    span: Span
    path: Path
    copied: bool


def keyframe_times(video: str | Path) -> tuple[list[float], float]:
    """The video's keyframe times (seconds from the stream's start) and its frame period.

    Raises:
        InputError: The file cannot be read as a video.
    """
    try:
        with av.open(os.fspath(video)) as container:
            stream = container.streams.video[0]
            base = stream.time_base
            if base is None:
                raise InputError("the video stream has no time base", subject=video)
            start = stream.start_time or 0
            times = sorted(
                float((p.pts - start) * base)
                for p in container.demux(stream)
                if p.is_keyframe and p.pts is not None
            )
            rate = stream.average_rate
            period = 1.0 / float(rate) if rate else 1.0 / 30.0
    except (av.error.FFmpegError, IndexError) as error:
        raise InputError(
            f"cannot read the video: {error}", subject=video, hint="check the file plays"
        ) from None
    return times, period


def on_keyframe(times: list[float], seconds: float, period: float) -> bool:
    """Whether a keyframe lies within half a frame of ``seconds``."""
    i = bisect_left(times, seconds - period / 2)
    return i < len(times) and abs(times[i] - seconds) <= period / 2


def cut_spans(
    video: str | Path,
    spans: list[Span],
    out_dir: str | Path,
    prefix: str,
    *,
    copy: bool | None = None,
) -> list[Clip]:
    """Cut every span of ``video`` into ``out_dir/<prefix>-NNN<suffix>``.

    Args:
        video: The source video.
        spans: What to cut out.
        out_dir: Where the clips go (created).
        prefix: The clips' name before the span number.
        copy: ``True`` always stream-copies (starts snap to the keyframe before), ``False``
            always re-encodes, ``None`` copies where a span starts on a keyframe.

    Raises:
        InputError: The video cannot be read.
        OutputError: ffmpeg is missing or failed.
    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise OutputError(
            "ffmpeg is not installed",
            subject="ffmpeg",
            hint="install it (Debian: apt-get install ffmpeg)",
        )
    source = Path(video)
    times, period = keyframe_times(source)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = source.suffix.lower() if source.suffix.lower() in FORMATS else ".mp4"
    clips = []
    for span in spans:
        copied = on_keyframe(times, span.start, period) if copy is None else copy
        target = folder / f"{prefix}-{span.number:03d}{suffix}"
        codec = ["-c", "copy"]
        if not copied:
            codec = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-c:a", "aac"]
        with atomic_output(target) as partial:
            command = [ffmpeg, "-v", "error", "-nostdin", "-y", "-ss", f"{span.start:.6f}"]
            command += ["-i", str(source), "-t", f"{max(span.end - span.start, period):.6f}"]
            command += ["-map", "0:v:0", "-map", "0:a?", *codec]
            command += ["-avoid_negative_ts", "make_zero", "-f", FORMATS[suffix], str(partial)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["no message"])[-1]
                raise OutputError(
                    f"ffmpeg could not cut span {span.number}: {last}",
                    subject=target,
                    hint="check the folder is writable and the video plays",
                )
        clips.append(Clip(span, target, copied))
    return clips
