"""Single pictures at given video times, in one pass: the frames a dataset export needs.

The times are those a run recorded (each is a frame's exact PTS time), so "the picture on
screen at t" is that very frame. Wanted times close together are reached by decoding forward;
a far one by seeking to the keyframe before it, so a few frames of an hour-long recording
cost a few GOPs, not the hour. Only the frames handed out are converted to BGR.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path

import av
import av.error
import av.video.frame

from framewise.core.frames import Image
from framewise.core.time import pts_to_seconds, seconds_to_pts
from framewise.sources.container import open_video, stream_start_pts, stream_time_base
from framewise.sources.file import to_bgr

SEEK_AHEAD_S = 8.0
"""Seek instead of decoding forward when the next wanted time is this far ahead."""

_EPSILON = 1e-6


def pictures_at(
    path: str | os.PathLike[str], times: Sequence[float]
) -> Generator[tuple[float, Image], None, None]:
    """Yield ``(time, BGR picture shown at time)`` for each wanted time, in time order.

    Times past the end yield the last frame; a damaged stretch yields what decodes.

    Raises:
        InputError: The file is missing or not a video (see ``open_video``).
    """
    wanted = sorted(set(times))
    if not wanted:
        return
    container, stream = open_video(Path(path))
    try:
        stream.thread_type = "AUTO"
        time_base = stream_time_base(stream)
        start = stream_start_pts(stream) or 0
        frames = _decode(container, stream)
        position = 0.0  # seconds of the last decoded frame
        shown: av.video.frame.VideoFrame | None = None  # on screen at the current target
        ahead: tuple[float, av.video.frame.VideoFrame] | None = None  # decoded, past it
        for target in wanted:
            if target - position > SEEK_AHEAD_S:
                container.seek(
                    seconds_to_pts(target, time_base, start),
                    stream=stream,
                    backward=True,
                    any_frame=False,
                )
                frames, shown, ahead = _decode(container, stream), None, None
            while True:
                if ahead is not None:
                    if ahead[0] > target + _EPSILON:
                        break
                    shown, ahead = ahead[1], None
                frame = next(frames, None)
                if frame is None:
                    break  # the end: later times show the last frame
                if frame.pts is not None:
                    position = pts_to_seconds(int(frame.pts), time_base, start)
                    ahead = (position, frame)
            picture = shown if shown is not None else (ahead[1] if ahead else None)
            if picture is not None:
                yield target, to_bgr(picture)
    finally:
        container.close()


def _decode(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> Iterator[av.video.frame.VideoFrame]:
    """Decoded frames from the current position; a damaged tail ends the stream."""
    try:
        for packet in container.demux(stream):
            try:
                yield from packet.decode()
            except (av.error.InvalidDataError, av.error.UndefinedError):
                continue
    except av.error.FFmpegError:
        return
