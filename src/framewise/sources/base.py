"""The VideoSource ABC, its counters, and a bounded prefetch thread."""

from __future__ import annotations

import queue
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from types import TracebackType
from typing import Any, Self, TypeVar

from framewise.core.errors import ConfigError
from framewise.core.frames import Frame, batched
from framewise.core.time import SessionStart

T = TypeVar("T")


@dataclass
class SourceStats:
    """What a source did with the frames it saw; nothing is dropped without being counted.

    Attributes:
        decoded: Frames the decoder produced.
        kept: Frames handed to the caller.
        skipped: Decoded frames not chosen by time sampling (or before a seek target).
        gaps: Sampling ticks with no frame within half a sample period (e.g. a 1 fps stretch).
        corrupt_packets: Packets the decoder rejected and that were skipped.
        corrupt_frames: Frames the decoder flagged as damaged (concealed errors). A file's
            are still handed out, as FFmpeg shows them: a picture with a smear beats none.
            Image folders and live sources skip theirs (an unreadable image; a stream
            joined mid-GOP, whose first pictures are grey).
        dropped: Live only: frames replaced by a newer one before the caller took them.
        reconnects: Live only: how often the source was reopened.
        truncated: The file ended before its container said it would.
    """

    decoded: int = 0
    kept: int = 0
    skipped: int = 0
    gaps: int = 0
    corrupt_packets: int = 0
    corrupt_frames: int = 0
    dropped: int = 0
    reconnects: int = 0
    truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The counters as a plain dict (for reports and JSON)."""
        return asdict(self)


class VideoSource(ABC):
    """A source of frames in presentation order (PySceneDetect's ``VideoStream`` shape).

    Subclasses implement :meth:`read`; :meth:`read_batches` groups its frames. Sources are
    context managers and release their decoder or device in :meth:`close`. A runner needs
    nothing else to drive any source, file or live.

    Attributes:
        source_id: Which file, folder or camera the frames come from (on every frame too).
        stats: What the last :meth:`read` did with the frames it saw.
        session_start: Wall-clock time of video second 0 (``wall_time = start + seconds``).
        duration: Seconds of video; ``None`` for live sources (or when unknown).
        frame_rate: The nominal frame rate, exact (``30000/1001``); ``None`` when unknown.
        seekable: Whether :meth:`seek` works.
    """

    source_id: str
    stats: SourceStats
    session_start: SessionStart
    duration: float | None = None
    frame_rate: Fraction | None = None
    seekable: bool = False

    @abstractmethod
    def read(self) -> Iterator[Frame]:
        """Yield frames in presentation order until the source ends."""

    def read_batches(self, size: int) -> Iterator[list[Frame]]:
        """Yield lists of up to ``size`` frames."""
        return batched(self.read(), size)

    def seek(self, seconds: float) -> Self:
        """Start the next :meth:`read` at the frame on screen at ``seconds``.

        Raises:
            ConfigError: The source is not seekable (a camera or stream).
        """
        raise ConfigError(
            f"cannot seek to {seconds:g} s: this source is not seekable",
            subject=self.source_id,
            hint="start at the beginning, or read a recording instead",
        )

    def close(self) -> None:  # noqa: B027 - optional hook, most sources close in read()
        """Release resources. Safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_END = object()


class _Failure:
    """Carries an exception from the worker thread to the consumer."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(items: Iterable[T], maxsize: int, name: str = "framewise-prefetch") -> Iterator[T]:
    """Run ``items`` in a worker thread, handing results over through a bounded queue.

    The worker blocks when the queue is full, so memory stays flat however slow the consumer.
    An exception in the worker is re-raised in the consumer; closing the returned generator
    (or an exception in the consumer) stops the worker, and the thread is always joined.

    Args:
        items: The iterable to drain in the background (e.g. a decode loop).
        maxsize: Queue capacity; ``0`` runs ``items`` inline with no thread.
        name: Thread name, for debuggers and py-spy.
    """
    if maxsize <= 0:
        yield from items
        return
    handoff: queue.Queue[object] = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:
            put(_Failure(error))
            return
        finally:
            close = getattr(items, "close", None)
            if stop.is_set() and callable(close):
                close()
        put(_END)

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
