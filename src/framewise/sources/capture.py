"""Connections for live sources: capture devices through OpenCV, streams through PyAV.

A reader opens one connection per :meth:`Reader.frames` call and yields raw pictures (a PyAV
frame or an OpenCV BGR array) until the connection ends; :class:`OpenFailed` says why it could
not connect and whether retrying can help, :class:`ReadFailed` why an open stream broke.
Reconnecting, pacing and hand-over live in :mod:`framewise.sources.live`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

import av
import av.error
import av.video.frame
import cv2
import numpy as np

from framewise.core.errors import ConfigError
from framewise.core.frames import Image
from framewise.sources.base import SourceStats
from framewise.sources.latest import Feed

Backend = Literal["auto", "pyav", "opencv"]
"""How to read: ``auto`` (OpenCV for devices, PyAV for URLs and files), or force one."""

Picture = av.video.frame.VideoFrame | Image
"""A frame as a reader delivers it, before colour conversion."""

_PERMANENT = (
    av.error.ProtocolNotFoundError,
    av.error.DemuxerNotFoundError,
    av.error.FileNotFoundError,
    av.error.IsADirectoryError,
    av.error.PermissionError,
    av.error.InvalidDataError,
    av.error.HTTPClientError,
)
"""Open errors that waiting cannot fix (before the first frame; afterwards all are retried)."""

_CORRUPT = (av.error.InvalidDataError, av.error.UndefinedError)

# Schemes whose FFmpeg protocol reads the `timeout` option as a socket timeout in µs. Not
# rtmp: there `timeout` means "listen for an incoming connection".
_SOCKET_TIMEOUT_SCHEMES = frozenset({"tcp", "udp", "http", "https", "srt", "rtsp", "rtsps"})


class OpenFailed(Exception):  # noqa: N818 - an internal signal, not a user-facing error
    """A connection attempt failed.

    Args:
        reason: What happened, for the log and the final error.
        permanent: Waiting cannot fix it (unknown protocol, no such file or device, ...).
        hint: What the user can do about it.
    """

    def __init__(self, reason: str, *, permanent: bool, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.hint = hint


class ReadFailed(Exception):  # noqa: N818 - an internal signal, not a user-facing error
    """An open connection broke (timeout, reset, ...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Reader(Protocol):
    """One way of connecting to a live source."""

    def frames(
        self, feed: Feed[Any], open_timeout_s: float, stats: SourceStats
    ) -> Generator[Picture, None, None]:
        """Connect, then yield pictures until the connection ends or ``feed`` is stopping.

        Raises:
            OpenFailed: The connection could not be made.
            ReadFailed: The connection broke.
        """
        ...


def redact_url(target: str) -> str:
    """``target`` with any password replaced by ``***`` (source ids end up in logs and events)."""
    parts = urlsplit(target)
    if parts.password is None or parts.hostname is None:
        return target
    netloc = f"{parts.username}:***@{parts.hostname}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def describe_error(exc: av.error.FFmpegError, timeout_s: float | None = None) -> str:
    """A short reason for an FFmpeg error (PyAV reports its own timeouts as ``ExitError``)."""
    if isinstance(exc, av.error.ExitError):
        return f"no data within {timeout_s:g} s" if timeout_s else "timed out"
    return str(exc.strerror or exc)


def is_corrupt(picture: Picture) -> bool:
    """Whether the decoder flagged the frame as damaged (errors concealed, as FileSource skips)."""
    return isinstance(picture, av.video.frame.VideoFrame) and picture.is_corrupt


def make_reader(
    target: str | int,
    backend: Backend,
    *,
    read_timeout_s: float,
    size: tuple[int, int] | None,
    source_id: str,
) -> Reader:
    """Choose how to read ``target`` (see :class:`~framewise.sources.live.LiveSource`).

    Raises:
        ConfigError: The backend cannot read this kind of source.
    """
    if isinstance(target, str) and target.strip().isdigit():
        target = int(target)
    if isinstance(target, int):
        if backend == "pyav":
            raise ConfigError(
                "PyAV cannot open a capture device by index",
                subject=source_id,
                hint="pass the device path (e.g. /dev/video0) or use backend=opencv",
            )
        return OpenCVReader(target, cv2.CAP_ANY, read_timeout_s=read_timeout_s, size=size)
    if target.startswith("/dev/"):
        if backend == "pyav":
            return PyAVReader(target, read_timeout_s=read_timeout_s, format="v4l2")
        api = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
        return OpenCVReader(target, api, read_timeout_s=read_timeout_s, size=size)
    if target.startswith(("video=", "audio=")):
        # OpenCV's DirectShow backend opens devices by index only; FFmpeg's dshow by name.
        if backend == "opencv":
            raise ConfigError(
                "OpenCV cannot open a DirectShow device by name",
                subject=source_id,
                hint="pass the device index (0, 1, ...) instead",
            )
        return PyAVReader(target, read_timeout_s=read_timeout_s, format="dshow")
    if backend == "opencv":
        return OpenCVReader(target, cv2.CAP_FFMPEG, read_timeout_s=read_timeout_s, size=size)
    return PyAVReader(target, read_timeout_s=read_timeout_s)


def _pyav_options(url: str, read_timeout_s: float) -> dict[str, str]:
    """Protocol options: socket timeouts (µs) and RTSP over TCP (no UDP packet loss)."""
    scheme = urlsplit(url).scheme.lower()
    if len(scheme) < 2:  # a plain path (or a Windows drive letter): no network options
        return {}
    micros = str(round(read_timeout_s * 1_000_000))
    options = {"rw_timeout": micros}
    if scheme in _SOCKET_TIMEOUT_SCHEMES:
        options["timeout"] = micros
    if scheme in ("rtsp", "rtsps"):
        options["rtsp_transport"] = "tcp"
    return options


class PyAVReader:
    """Network streams (and files, and FFmpeg input devices) through PyAV.

    Args:
        url: What ``av.open`` opens.
        read_timeout_s: Longest wait for a packet on an open stream.
        format: FFmpeg input format for devices (``v4l2``, ``dshow``); ``None`` probes.
    """

    def __init__(self, url: str, *, read_timeout_s: float, format: str | None = None) -> None:
        self.url = url
        self.read_timeout_s = read_timeout_s
        self.format = format

    def frames(
        self, feed: Feed[Any], open_timeout_s: float, stats: SourceStats
    ) -> Generator[Picture, None, None]:
        """Open the stream and yield its decoded frames (see :class:`Reader`)."""
        try:
            container = av.open(
                self.url,
                mode="r",
                format=self.format,
                metadata_errors="ignore",
                container_options=_pyav_options(self.url, self.read_timeout_s),
                timeout=(open_timeout_s, self.read_timeout_s),
            )
        except _PERMANENT as exc:
            raise OpenFailed(
                describe_error(exc),
                permanent=True,
                hint="check the URL or path (and the credentials)",
            ) from None
        except av.error.FFmpegError as exc:
            raise OpenFailed(
                describe_error(exc, open_timeout_s),
                permanent=False,
                hint="check that the stream is running",
            ) from None
        except ValueError as exc:  # PyAV: no such input format in this FFmpeg build
            raise OpenFailed(
                str(exc), permanent=True, hint="this device kind is not available on this system"
            ) from None
        try:
            if not container.streams.video:
                raise OpenFailed(
                    "no video stream",
                    permanent=True,
                    hint="pass a stream or device that carries video",
                )
            stream = container.streams.video[0]
            # Slice threads only: frame threads would hold frames back (latency).
            stream.thread_type = "SLICE"
            for packet in container.demux(stream):
                if feed.stopping:
                    return
                try:
                    decoded = packet.decode()
                except av.error.EOFError:
                    return
                except _CORRUPT:
                    stats.corrupt_packets += 1
                    continue
                yield from decoded
        except av.error.FFmpegError as exc:
            raise ReadFailed(describe_error(exc, self.read_timeout_s)) from None
        finally:
            container.close()


class OpenCVReader:
    """Capture devices (and, forced, URLs or files) through OpenCV's VideoCapture.

    Args:
        device: A device index or path, or a URL/file for OpenCV's FFmpeg backend.
        api: The OpenCV backend (``cv2.CAP_ANY``, ``cv2.CAP_V4L2``, ``cv2.CAP_FFMPEG``).
        read_timeout_s: Read timeout, where the backend supports one (FFmpeg).
        size: ``(width, height)`` to ask a device for; frames are scaled anyway if it refuses.
    """

    def __init__(
        self, device: int | str, api: int, *, read_timeout_s: float, size: tuple[int, int] | None
    ) -> None:
        self.device = device
        self.api = api
        self.read_timeout_s = read_timeout_s
        self.size = size

    def frames(
        self, feed: Feed[Any], open_timeout_s: float, stats: SourceStats
    ) -> Generator[Picture, None, None]:
        """Open the device and yield BGR pictures (see :class:`Reader`).

        OpenCV reports no bad packets, so ``stats`` is left alone.
        """
        device = self.device
        is_device = isinstance(device, int) or device.startswith("/dev/")
        if isinstance(device, str) and is_device and not os.path.exists(device):  # noqa: PTH110
            raise OpenFailed(
                "no such device",
                permanent=True,
                hint="check the device path (ls /dev/video*) and the cable",
            )
        if (
            isinstance(device, str)
            and not is_device
            and "://" not in device
            and not Path(device).is_file()
        ):
            raise OpenFailed("no such file", permanent=True, hint="check the path")
        params: list[int] = []
        if self.api == cv2.CAP_FFMPEG:  # only the FFmpeg backend takes these
            params = [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                round(open_timeout_s * 1000),
                cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                round(self.read_timeout_s * 1000),
            ]
        capture = cv2.VideoCapture(device, self.api, params)
        try:
            if not capture.isOpened():
                raise OpenFailed(
                    "OpenCV cannot open it",
                    permanent=is_device,
                    hint="check that the device exists and no other program uses it",
                )
            if self.size is not None and is_device:
                capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
                capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
            while not feed.stopping:
                ok, image = capture.read()
                if not ok or image is None:
                    return  # unplugged, or the end of a file: the caller decides
                yield np.asarray(image, dtype=np.uint8)
        finally:
            capture.release()
