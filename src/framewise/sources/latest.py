"""The newest-frame hand-off shared by live and replay sources.

A producer thread (a network reader, a device reader, a paced file replay) puts items into a
one-slot buffer; the consumer takes them. When the consumer falls behind, a new item replaces
the one still waiting (and the producer counts it as dropped), so the consumer always gets the
freshest frame and never works through a backlog. With ``keep_newest=False`` the producer
waits for the slot to empty instead (nothing is dropped; the producer is slowed down).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class NewestSlot(Generic[T]):
    """A thread-safe one-item buffer that keeps the newest item.

    The producer calls :meth:`put` and, at its end, :meth:`finish` or :meth:`fail`; the
    consumer iterates with :meth:`drain`; either side may :meth:`close` it.

    Example:
        >>> slot = NewestSlot[int]()
        >>> slot.put(1), slot.put(2)  # 2 replaces 1, which is reported as dropped
        (False, True)
        >>> slot.finish()
        >>> list(slot.drain())
        [2]
    """

    def __init__(self, *, keep_newest: bool = True) -> None:
        self.keep_newest = keep_newest
        self._ready = threading.Condition()
        self._item: T | None = None
        self._full = False
        self._finished = False
        self._closed = False
        self._error: BaseException | None = None

    def put(self, item: T) -> bool:
        """Offer ``item``; returns ``True`` when it replaced one the consumer never took.

        With ``keep_newest=False`` this blocks until the consumer took the previous item
        (or the slot was closed, in which case the item is discarded and ``False`` returned).
        """
        with self._ready:
            if not self.keep_newest:
                self._ready.wait_for(lambda: not self._full or self._closed)
            if self._closed:
                return False
            replaced = self._full
            self._item, self._full = item, True
            self._ready.notify_all()
            return replaced

    def finish(self) -> None:
        """The producer is done: the consumer takes what is waiting, then stops."""
        with self._ready:
            self._finished = True
            self._ready.notify_all()

    def fail(self, error: BaseException) -> None:
        """The producer failed: the consumer raises ``error`` at its next take."""
        with self._ready:
            self._error = error
            self._finished = True
            self._ready.notify_all()

    def close(self) -> None:
        """Stop both sides now; a waiting item is discarded. Safe to call twice."""
        with self._ready:
            self._closed = True
            self._item, self._full = None, False
            self._ready.notify_all()

    def drain(self) -> Iterator[T]:
        """Yield items as they come until the producer finishes or the slot is closed.

        Raises:
            BaseException: Whatever the producer passed to :meth:`fail`.
        """
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._full or self._finished or self._closed)
                if self._closed:
                    return
                if self._error is not None:
                    raise self._error
                if not self._full:
                    return  # finished and nothing left
                item, self._item, self._full = self._item, None, False
                self._ready.notify_all()  # a producer blocked in put() may go on
            yield item  # type: ignore[misc]  # _full guarantees an item of type T


class Feed(Generic[T]):
    """A producer thread feeding a :class:`NewestSlot`, with a stop flag it must honour.

    ``produce`` runs in the thread and calls :meth:`put` for each item; when it returns the
    consumer's iteration ends after the last item, and when it raises the consumer gets the
    exception. :meth:`stop` (from any thread) ends both sides and always joins the thread.

    Args:
        produce: The producer loop; it receives this feed.
        name: Thread name, for debuggers and py-spy.
        keep_newest: Replace an untaken item (``True``) or wait for the consumer.
    """

    def __init__(
        self, produce: Callable[[Feed[T]], None], *, name: str, keep_newest: bool = True
    ) -> None:
        self.slot = NewestSlot[T](keep_newest=keep_newest)
        self._produce = produce
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def stopping(self) -> bool:
        """Whether the producer has been asked to stop."""
        return self._stopping.is_set()

    def put(self, item: T) -> bool:
        """Hand ``item`` over; ``True`` when it replaced (dropped) an untaken one."""
        return self.slot.put(item)

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` unless asked to stop; returns ``True`` when stopping."""
        return self._stopping.wait(max(0.0, seconds))

    def __iter__(self) -> Iterator[T]:
        return self.slot.drain()

    def is_alive(self) -> bool:
        """Whether the producer thread is still running."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Ask the producer to stop, wake the consumer, and join the thread."""
        self._stopping.set()
        self.slot.close()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _run(self) -> None:
        try:
            self._produce(self)
        except BaseException as error:  # handed to the consumer, re-raised there
            self.slot.fail(error)
            return
        self.slot.finish()


class FeedHolder(Generic[T]):
    """The one running :class:`Feed` of a source.

    A second read while one runs is refused, and :meth:`close` from any thread stops the feed
    and every later read.

    Args:
        what: The source, for the error message.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self._lock = threading.Lock()
        self._feed: Feed[T] | None = None
        self._closed = False

    def start(self, make: Callable[[], Feed[T]]) -> Feed[T] | None:
        """Run ``make`` (under the lock) for a new feed; ``None`` once closed.

        Raises:
            RuntimeError: The source is already being read.
        """
        with self._lock:
            if self._closed:
                return None
            if self._feed is not None and self._feed.is_alive():
                raise RuntimeError(f"{self.what} is already being read; end that read first")
            self._feed = make()
            return self._feed

    def close(self) -> None:
        """Stop the feed and refuse later reads. Safe to call twice."""
        with self._lock:
            self._closed = True
            feed = self._feed
        if feed is not None:
            feed.stop()
