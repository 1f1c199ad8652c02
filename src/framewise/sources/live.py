"""LiveSource: capture devices and network streams, newest frame first, with reconnects.

A reader thread pulls frames as fast as the device or stream delivers them; the consumer always
gets the newest one (see :mod:`framewise.sources.latest`), and every frame it never got is
counted in ``stats.dropped``. Time on a live source is arrival time: ``seconds`` counts from
the moment the source was opened, ``wall_time`` is the UTC arrival time (the session start plus
``seconds``, both from the monotonic clock, so they never disagree), ``arrival`` the monotonic
time itself. Colour conversion and scaling happen only for the frames handed out.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import cv2
import numpy as np

from framewise.core.errors import ConfigError, SourceError
from framewise.core.frames import Frame, Image
from framewise.core.time import SessionStart
from framewise.sources.base import SourceStats, VideoSource
from framewise.sources.capture import (
    Backend,
    OpenFailed,
    Picture,
    Reader,
    ReadFailed,
    is_corrupt,
    make_reader,
    redact_url,
)
from framewise.sources.file import to_bgr
from framewise.sources.latest import Feed, FeedHolder

log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 0.25
"""Wait before the first reconnect attempt; it doubles up to ``max_backoff_s``."""


@dataclass(frozen=True, slots=True)
class _Arrival:
    """A frame as it left the reader: when, and the still-unconverted picture."""

    monotonic: float
    picture: Picture


class LiveSource(VideoSource):
    """Frames of a capture device or a network stream, newest first.

    Args:
        url_or_device: A device index (``0``), a device path (``/dev/video0``), a DirectShow
            name (``video=Integrated Camera``, Windows), or a stream URL (``rtsp://``,
            ``rtmp://``, ``srt://``, ``udp://``, ``tcp://``, ``http(s)://``); a plain file
            path is read like a stream, as fast as it decodes (useful in tests).
        sample_fps: Hand out at most this many frames per second, chosen by arrival time
            (one per ``1 / sample_fps`` slot; the others are counted in ``stats.skipped``);
            ``None`` hands out every frame.
        reconnect: Reopen the stream when it ends or fails; without it a lost stream ends
            the iteration.
        max_reconnect_wait_s: Give up (:class:`SourceError`) after this long without a
            frame, counted from the opening or from the last frame.
        max_backoff_s: Longest wait between two reconnect attempts.
        open_timeout_s: Longest wait for each of the two steps of a connection attempt
            (connecting, then probing the stream).
        read_timeout_s: Longest wait for data on an open stream before it counts as lost.
            These two also bound how long :meth:`close` waits for a stalled network call
            (FFmpeg's blocking calls cannot be interrupted sooner).
        size: ``(width, height)`` to scale handed-out frames to.
        backend: ``auto`` (OpenCV for devices, PyAV for URLs and files), or force one.

    A live source has no ``duration`` (``None``) and no nominal ``frame_rate``, and cannot
    :meth:`seek`.

    ``stats`` counts, per :meth:`read`: ``decoded`` frames that arrived, ``kept`` (handed
    out), ``dropped`` (replaced before the caller took them), ``skipped`` (by ``sample_fps``),
    ``corrupt_packets`` / ``corrupt_frames`` (skipped), and ``reconnects`` (connections
    regained after a loss). Errors that waiting cannot fix before the first frame (unknown
    protocol, no such file or device, HTTP 4xx, not a video) fail at once.

    Example:
        >>> camera = "rtsp://camera.local/stream"
        >>> with LiveSource(camera, sample_fps=10) as source:  # doctest: +SKIP
        ...     for frame in source.read():
        ...         print(frame.index, frame.wall_time, source.stats.dropped)
    """

    def __init__(
        self,
        url_or_device: str | int | os.PathLike[str],
        *,
        sample_fps: float | None = None,
        reconnect: bool = True,
        max_reconnect_wait_s: float = 30.0,
        max_backoff_s: float = 5.0,
        open_timeout_s: float = 10.0,
        read_timeout_s: float = 5.0,
        size: tuple[int, int] | None = None,
        backend: Backend = "auto",
    ) -> None:
        target = url_or_device if isinstance(url_or_device, int) else os.fspath(url_or_device)
        self.source_id = redact_url(str(target))
        for name, value in {
            "sample_fps": sample_fps,
            "max_reconnect_wait_s": max_reconnect_wait_s,
            "max_backoff_s": max_backoff_s,
            "open_timeout_s": open_timeout_s,
            "read_timeout_s": read_timeout_s,
        }.items():
            if value is not None and not (math.isfinite(value) and value > 0):
                raise ConfigError(
                    f"{name} must be a number above 0, got {value}",
                    subject=self.source_id,
                    hint=f"pass {name}=<a number above 0>",
                )
        if size is not None and (len(size) != 2 or min(size) < 1):
            raise ConfigError(
                f"size must be (width, height) in pixels, got {size}",
                subject=self.source_id,
                hint="e.g. size=(1280, 720)",
            )
        self.sample_fps = sample_fps
        self.reconnect = reconnect
        self.max_reconnect_wait_s = max_reconnect_wait_s
        self.max_backoff_s = max_backoff_s
        self.open_timeout_s = open_timeout_s
        self.size = size
        self.stats = SourceStats()
        # Replaced when a read connects; until then "now" stands in (no frame has a time yet).
        self.session_start = SessionStart(datetime.now(UTC), "arrival")
        self._reader: Reader = make_reader(
            target, backend, read_timeout_s=read_timeout_s, size=size, source_id=self.source_id
        )
        self._holder: FeedHolder[_Arrival] = FeedHolder(self.source_id)
        self._t0 = 0.0

    def read(self) -> Iterator[Frame]:
        """Connect and yield the newest frame each time the caller asks for one.

        The stream is opened at the first ``next()``, and ``seconds`` count from then;
        ``index`` counts the frames handed out. Ending the iteration early (``break``,
        closing the generator) disconnects; :meth:`close` from any thread ends it cleanly.

        Raises:
            SourceError: The source cannot be opened, or stayed without frames for
                ``max_reconnect_wait_s``.
        """
        feed = self._start()
        if feed is None:
            return
        try:
            for index, arrival in enumerate(feed):
                self.stats.kept += 1
                yield self._frame(arrival, index)
        finally:
            feed.stop()

    def close(self) -> None:
        """Disconnect and join the reader thread; later reads yield nothing. Safe to call twice."""
        self._holder.close()

    def _start(self) -> Feed[_Arrival] | None:
        def make() -> Feed[_Arrival]:
            self.stats = SourceStats()
            self._t0 = time.monotonic()
            self.session_start = SessionStart(datetime.now(UTC), "arrival")
            return Feed(self._produce, name=f"framewise-live:{self.source_id}")

        return self._holder.start(make)

    def _produce(self, feed: Feed[_Arrival]) -> None:
        """The reader loop: read, hand over, and reconnect with capped exponential backoff."""
        stats = self.stats
        backoff = FIRST_BACKOFF_S
        last_frame = self._t0
        connected = False  # some connection has delivered a frame
        last_tick = -1
        while not feed.stopping:
            delivered = False
            remaining = self.max_reconnect_wait_s - (time.monotonic() - last_frame)
            pictures = self._reader.frames(
                feed, min(self.open_timeout_s, max(remaining, 0.5)), stats
            )
            try:
                for picture in pictures:
                    now = time.monotonic()
                    last_frame = now
                    stats.decoded += 1
                    if not delivered:
                        delivered, backoff = True, FIRST_BACKOFF_S
                        if connected:
                            stats.reconnects += 1
                            log.info("%s: reconnected", self.source_id)
                        connected = True
                    if is_corrupt(picture):  # concealed errors, e.g. joined mid-GOP: skip
                        stats.corrupt_frames += 1
                        continue
                    if self.sample_fps:
                        tick = math.floor((now - self._t0) * self.sample_fps)
                        if tick <= last_tick:
                            stats.skipped += 1
                            continue
                        last_tick = tick
                    if feed.put(_Arrival(now, picture)):
                        stats.dropped += 1
                reason = "the stream ended"
            except OpenFailed as exc:
                if exc.permanent and not connected:
                    raise SourceError(
                        f"cannot open: {exc.reason}", subject=self.source_id, hint=exc.hint
                    ) from None
                reason = exc.reason
            except ReadFailed as exc:
                reason = exc.reason
            finally:
                pictures.close()
            if feed.stopping or not self._wait_to_retry(
                feed, reason, connected, last_frame, backoff
            ):
                return
            backoff = min(backoff * 2, self.max_backoff_s)

    def _wait_to_retry(
        self, feed: Feed[_Arrival], reason: str, connected: bool, last_frame: float, backoff: float
    ) -> bool:
        """Wait before the next attempt; ``False`` ends the stream; raises when out of time."""
        if not self.reconnect:
            if connected:
                log.info("%s: %s; not reconnecting (reconnect=False)", self.source_id, reason)
                return False
            raise SourceError(
                f"cannot open: {reason}",
                subject=self.source_id,
                hint="check that the stream is running and the URL is right",
            )
        waited = time.monotonic() - last_frame
        if waited >= self.max_reconnect_wait_s:
            if connected:
                raise SourceError(
                    f"lost: no frames for {waited:.1f} s ({reason})",
                    subject=self.source_id,
                    hint="check the camera or encoder and the network, or raise "
                    "max_reconnect_wait_s to wait longer",
                )
            raise SourceError(
                f"no connection after {waited:.1f} s ({reason})",
                subject=self.source_id,
                hint="check that the stream is running and the URL is right, or raise "
                "max_reconnect_wait_s to wait longer",
            )
        delay = min(backoff, self.max_reconnect_wait_s - waited)
        log.warning("%s: %s; reconnecting in %.2f s", self.source_id, reason, delay)
        return not feed.wait(delay)

    def _frame(self, arrival: _Arrival, index: int) -> Frame:
        seconds = arrival.monotonic - self._t0
        return Frame(
            image=self._image(arrival.picture),
            index=index,
            seconds=seconds,
            wall_time=self.session_start.wall_time(seconds),
            source_id=self.source_id,
            arrival=arrival.monotonic,
        )

    def _image(self, picture: Picture) -> Image:
        """BGR, upright and scaled, for a handed-out frame: the only frames that pay for it."""
        if isinstance(picture, np.ndarray):
            if self.size is not None and (picture.shape[1], picture.shape[0]) != self.size:
                return np.asarray(
                    cv2.resize(picture, self.size, interpolation=cv2.INTER_AREA), dtype=np.uint8
                )
            return picture
        return to_bgr(picture, self.size)
