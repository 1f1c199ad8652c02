"""Opening media files with PyAV, with errors that say what is wrong and what to do."""

from __future__ import annotations

import errno
import logging
import os
import stat
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.video.stream
from av.codec.hwaccel import HWAccel

from framewise.core.errors import (
    CorruptVideoError,
    InputError,
    InputNotFoundError,
    NotAVideoError,
)

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = frozenset({".mkv", ".mp4", ".mov", ".avi", ".webm", ".ts", ".flv", ".m4v"})
"""File name endings that folder scans treat as videos."""

TRUNCATION_SLACK_S = 1.0
"""Seconds the last frame may end before the container's declared duration."""


def open_video(
    path: str | os.PathLike[str], hwaccel: HWAccel | None = None
) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    """Open ``path`` and return the container and its first video stream.

    ``hwaccel``: decode on that device (see :func:`framewise.sources.hwaccel.hardware_decoder`).

    Raises:
        InputNotFoundError: No such file.
        InputError: The path is a folder, or unreadable.
        NotAVideoError: Empty, not a media file, or no video stream (e.g. audio only).
        CorruptVideoError: A media container whose video stream has no decoder.
    """
    file = Path(path)
    size = _regular_file_size(file)
    if size == 0:
        raise NotAVideoError(
            "file is empty (0 bytes)",
            subject=file,
            hint="the recording was not written; re-export or copy it again",
        )
    try:
        container = av.open(str(file), mode="r", metadata_errors="ignore", hwaccel=hwaccel)
    except av.error.PermissionError:
        raise InputError(
            "permission denied", subject=file, hint="check the file's permissions"
        ) from None
    except (av.error.InvalidDataError, av.error.DemuxerNotFoundError):
        if is_mp4_without_index(file):
            raise CorruptVideoError(
                "MP4 without its index (no moov box)",
                subject=file,
                hint="the recording was cut before its index was written; recover with untrunc "
                "and a good file from the same camera, or record to MKV next time",
            ) from None
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


def _regular_file_size(file: Path) -> int:
    """The size of ``file``, or the error that says why it is not a file we can read."""
    try:
        status = file.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(
                "symbolic link loop", subject=file, hint="point the link at the video file"
            ) from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            dangling = file.is_symlink()
            raise InputNotFoundError(
                "symbolic link to a missing file" if dangling else "no such file",
                subject=file,
                hint="point the link at the video file" if dangling else "check the path",
            ) from None
        raise InputError(
            f"cannot read ({exc.strerror})", subject=file, hint="check the file's permissions"
        ) from None
    if stat.S_ISDIR(status.st_mode):
        raise InputError(
            "is a folder, not a video file",
            subject=file,
            hint="pass a video file, or use the folder option (--video-dir)",
        )
    if not stat.S_ISREG(status.st_mode):
        # Never open it: a FIFO would block until a writer comes, a device never ends.
        raise NotAVideoError(
            f"not a regular file (a {_file_kind(status.st_mode)}), not a video",
            subject=file,
            hint="pass a recorded video file",
        )
    return status.st_size


def _file_kind(mode: int) -> str:
    kinds = {
        stat.S_ISFIFO: "named pipe",
        stat.S_ISCHR: "character device",
        stat.S_ISBLK: "block device",
        stat.S_ISSOCK: "socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "special file")


MP4_BRANDS = frozenset({b"ftyp", b"mdat", b"moov", b"free", b"skip", b"wide", b"uuid"})
"""Top-level ISO-BMFF box types that mark a file as MP4/MOV even when it cannot be opened."""


def is_mp4_without_index(path: Path) -> bool:
    """Whether ``path`` is an MP4/MOV (ISO-BMFF boxes) whose ``moov`` index is missing.

    The usual result of a recorder that crashed: ``ftyp`` and a long ``mdat`` are written,
    and the index that should follow never is. Walks the top-level boxes only.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            first = handle.read(8)
            if len(first) < 8 or first[4:8] not in MP4_BRANDS:
                return False
            offset = 0
            while offset + 8 <= size:
                handle.seek(offset)
                header = handle.read(16)
                length, kind = int.from_bytes(header[:4], "big"), header[4:8]
                if kind == b"moov":
                    return False
                if length == 1 and len(header) == 16:  # 64-bit size follows the type
                    length = int.from_bytes(header[8:16], "big")
                if length == 0:  # the box runs to the end of the file
                    break
                if length < 8:
                    return offset > 0  # garbage after real boxes: a damaged MP4
                offset += length
    except OSError:
        return False
    return True


def ends_early(last_seconds: float, declared: float | None) -> bool:
    """Whether a stream whose last frame is at ``last_seconds`` stops short of ``declared``."""
    return bool(declared) and last_seconds < (declared or 0.0) - TRUNCATION_SLACK_S


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
