"""Opening media files with PyAV, with errors that say what is wrong and what to do."""

from __future__ import annotations

import logging
import os
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.video.stream

from framewise.core.errors import (
    CorruptVideoError,
    InputError,
    InputNotFoundError,
    NotAVideoError,
)

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = frozenset({".mkv", ".mp4", ".mov", ".avi", ".webm", ".ts", ".flv", ".m4v"})
"""File name endings that folder scans treat as videos."""


def open_video(
    path: str | os.PathLike[str],
) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    """Open ``path`` and return the container and its first video stream.

    Raises:
        InputNotFoundError: No such file.
        InputError: The path is a folder, or unreadable.
        NotAVideoError: Empty, not a media file, or no video stream (e.g. audio only).
        CorruptVideoError: A media container whose video stream has no decoder.
    """
    file = Path(path)
    if not file.exists():
        raise InputNotFoundError("no such file", subject=file, hint="check the path")
    if file.is_dir():
        raise InputError(
            "is a folder, not a video file",
            subject=file,
            hint="pass a video file, or use the folder option (--video-dir)",
        )
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise InputError(
            f"cannot read ({exc.strerror})", subject=file, hint="check the file's permissions"
        ) from None
    if size == 0:
        raise NotAVideoError(
            "file is empty (0 bytes)",
            subject=file,
            hint="the recording was not written; re-export or copy it again",
        )
    try:
        container = av.open(str(file), mode="r", metadata_errors="ignore")
    except av.error.PermissionError:
        raise InputError(
            "permission denied", subject=file, hint="check the file's permissions"
        ) from None
    except (av.error.InvalidDataError, av.error.DemuxerNotFoundError):
        raise NotAVideoError(
            "not a video file FFmpeg can read (no known container format inside)",
            subject=file,
            hint="check that this is a video (mkv, mp4, mov, ...); if it is, it is damaged",
        ) from None
    except av.error.FFmpegError as exc:
        raise CorruptVideoError(
            f"cannot open ({exc.strerror})",
            subject=file,
            hint="the file may be damaged; try remuxing it with ffmpeg",
        ) from None
    if not container.streams.video:
        kinds: list[str] = sorted({str(s.type) for s in container.streams}) or ["no streams"]
        container.close()
        raise NotAVideoError(
            f"has no video stream ({', '.join(kinds)} only)",
            subject=file,
            hint="pass the video recording, not an audio or subtitle file",
        )
    return container, container.streams.video[0]


def stream_start_pts(stream: av.video.stream.VideoStream) -> int | None:
    """The stream's first PTS (``start_time``), or ``None`` when the container has none."""
    start = stream.start_time
    return int(start) if start is not None else None


def stream_time_base(stream: av.video.stream.VideoStream) -> Fraction:
    """The stream's time base (1/1000 for MKV, 1/90000 for MPEG-TS, ...)."""
    if stream.time_base is None:
        return Fraction(1, 1000)
    return Fraction(stream.time_base)


def container_duration(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> float | None:
    """Duration in seconds: the stream's own when stored, else the container's."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return None
