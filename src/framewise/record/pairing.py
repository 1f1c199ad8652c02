"""N cameras' frames grouped by capture time into frame sets, with skew and loss counted.

Each camera is read on its own thread into a small queue. The synchroniser takes the
earliest waiting frame and every other camera's waiting frame within ``tolerance`` of it:
that is one :class:`FrameSet`, its skew the spread of the times in it. Cameras whose next
frame is later simply sit that set out (unsynchronised rigs are matched by interpolation
downstream, not refused). A camera that ends, fails or stays silent past ``stall_seconds``
is reported once as :class:`CameraLost` and the others go on.

Frame retention per camera is ``received / (received + missing)``, where missing frames are
gaps in its times longer than 1.5 frame intervals.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field

from framewise.core.errors import FramewiseError
from framewise.core.frames import Frame
from framewise.sources.base import VideoSource

QUEUE_FRAMES = 8
"""Frames a camera may read ahead of the synchroniser."""

ENDED = "the stream ended"
""":attr:`CameraLost.reason` of a source that ended normally (a file's last frame)."""


@dataclass(frozen=True, slots=True)
class TimedFrame:
    """A frame on the session clock.

    Attributes:
        camera: Camera name.
        frame: The decoded frame (its ``seconds`` are the source's own).
        capture: Seconds on the session clock (``frame.seconds`` + the camera's offset).
    """

    camera: str
    frame: Frame
    capture: float

    @property
    def capture_ns(self) -> int:
        """Capture time in integer nanoseconds (the JSON files' ``timestamp_ns``)."""
        return round(self.capture * 1e9)


@dataclass(frozen=True, slots=True)
class FrameSet:
    """Frames of several cameras taken at (nearly) the same time."""

    frames: dict[str, TimedFrame]

    @property
    def time(self) -> float:
        """The earliest capture time in the set."""
        return min(f.capture for f in self.frames.values())

    @property
    def skew(self) -> float:
        """Seconds between the earliest and latest frame of the set."""
        times = [f.capture for f in self.frames.values()]
        return max(times) - min(times)


@dataclass(frozen=True, slots=True)
class CameraLost:
    """A camera stopped delivering: ``reason`` says why, ``at`` its last capture time."""

    camera: str
    at: float
    reason: str


@dataclass
class CameraStats:
    """What the synchroniser saw of one camera."""

    received: int = 0
    missing: int = 0
    paired: int = 0
    last: float | None = None
    lost: str | None = None

    @property
    def retention_pct(self) -> float:
        """Share of the camera's frames that arrived (100 when none were missed)."""
        total = self.received + self.missing
        return 100.0 * self.received / total if total else 100.0


@dataclass(frozen=True)
class Camera:
    """A named source and its clock offset.

    Live sources (no ``duration``) are timed by arrival on the monotonic clock, which all
    cameras share; files by their PTS plus ``offset``.
    """

    name: str
    source: VideoSource
    offset: float = 0.0

    @property
    def live(self) -> bool:
        """Whether the camera is a device or stream (timed by arrival)."""
        return self.source.duration is None


class _End:
    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass
class Synchronizer:
    """Frame sets of ``cameras`` in time order (see the module docstring).

    Args:
        cameras: The cameras, reference first.
        tolerance: Seconds within which frames join one set.
        stall_seconds: Silence after which a camera counts as lost.
    """

    cameras: Sequence[Camera]
    tolerance: float
    stall_seconds: float = 3.0
    stats: dict[str, CameraStats] = field(default_factory=dict)
    skews: list[float] = field(default_factory=list)

    def _reader(
        self, camera: Camera, out: queue.Queue[Frame | _End], stop: threading.Event
    ) -> None:
        try:
            for frame in camera.source.read():
                while not stop.is_set():
                    try:
                        out.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(_End(ENDED))
        except FramewiseError as error:
            out.put(_End(error.one_line()))
        except (OSError, RuntimeError, ValueError) as error:  # a decoder's own failure
            out.put(_End(f"{type(error).__name__}: {error}"))

    def _count(self, name: str, capture: float, interval: float | None) -> None:
        stats = self.stats[name]
        stats.received += 1
        if stats.last is not None and interval:
            gap = capture - stats.last
            if gap > 1.5 * interval:
                stats.missing += round(gap / interval) - 1
        stats.last = capture

    def read(self) -> Generator[FrameSet | CameraLost]:
        """Frame sets, and a :class:`CameraLost` when a camera stops, until all have."""
        stop = threading.Event()
        queues: dict[str, queue.Queue[Frame | _End]] = {}
        threads = []
        for camera in self.cameras:
            self.stats[camera.name] = CameraStats()
            queues[camera.name] = queue.Queue(QUEUE_FRAMES)
            thread = threading.Thread(
                target=self._reader,
                args=(camera, queues[camera.name], stop),
                name=f"record:{camera.name}",
                daemon=True,
            )
            thread.start()
            threads.append(thread)
        by_name = {c.name: c for c in self.cameras}
        started = time.monotonic()
        heads: dict[str, TimedFrame] = {}
        live = [c.name for c in self.cameras]
        try:
            while live:
                for name in list(live):
                    if name in heads:
                        continue
                    got = self._next(queues[name])
                    if isinstance(got, _End):
                        live.remove(name)
                        self.stats[name].lost = got.reason
                        yield CameraLost(name, self.stats[name].last or 0.0, got.reason)
                        continue
                    camera = by_name[name]
                    if camera.live and got.arrival is not None:
                        capture = got.arrival - started + camera.offset
                    else:
                        capture = got.seconds + camera.offset
                    heads[name] = TimedFrame(name, got, capture)
                    rate = camera.source.frame_rate
                    self._count(name, heads[name].capture, float(1 / rate) if rate else None)
                if not heads:
                    continue
                first = min(h.capture for h in heads.values())
                chosen = {n: h for n, h in heads.items() if h.capture <= first + self.tolerance}
                for name in chosen:
                    del heads[name]
                    self.stats[name].paired += 1 if len(chosen) > 1 else 0
                frame_set = FrameSet(chosen)
                self.skews.append(frame_set.skew)
                yield frame_set
        finally:
            stop.set()
            for camera in self.cameras:
                camera.source.close()
            for thread in threads:
                thread.join(timeout=5.0)

    def _next(self, source: queue.Queue[Frame | _End]) -> Frame | _End:
        deadline = time.monotonic() + self.stall_seconds
        while True:
            try:
                return source.get(timeout=0.05)
            except queue.Empty:
                if time.monotonic() > deadline:
                    return _End(f"no frame for {self.stall_seconds:g} s")
