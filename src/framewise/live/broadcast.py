"""Fan-out of event messages from the runner thread to every WebSocket client.

The runner thread calls :meth:`Broadcaster.publish`; the message is handed to the server's
event loop (``call_soon_threadsafe``), which puts it in each client's bounded queue and
records the latency from the frame's arrival to this moment. A client whose queue is full
(it stopped reading) is disconnected instead of slowing the others or growing memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from framewise.live.metrics import LatencyMeter
from framewise.live.runner import LiveEvent

log = logging.getLogger(__name__)

TOO_SLOW = 1008
"""Close code sent to a client that fell ``queue_size`` messages behind (policy violation)."""


@dataclass(eq=False)
class Client:
    """One connected WebSocket: its outgoing queue; ``None`` in it means "close"."""

    queue: asyncio.Queue[str | None]
    overflowed: bool = False
    sent: int = 0
    connected_at: float = field(default_factory=time.monotonic)


class Broadcaster:
    """Delivers each message to every client connected at the time.

    Args:
        queue_size: Messages buffered per client before it is dropped as too slow.
    """

    def __init__(self, queue_size: int = 1000) -> None:
        self.queue_size = queue_size
        self.latency = LatencyMeter()
        self.published = 0
        self.dropped_clients = 0
        self._clients: set[Client] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    @property
    def clients(self) -> int:
        """Clients connected now."""
        return len(self._clients)

    def attach(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Deliver through ``loop`` (the server's; ``None`` detaches at shutdown)."""
        with self._lock:
            self._loop = loop

    def publish(self, live: LiveEvent) -> None:
        """Runner thread: queue the event's message for every client (thread-safe)."""
        if live.message is None:
            return
        self.send(live.message, live.arrival)

    def send(self, message: Mapping[str, Any], arrival: float | None) -> None:
        """Runner thread: queue one message for every client (thread-safe).

        Args:
            message: JSON-ready; an event's, or a frame's (a task prediction).
            arrival: Monotonic arrival time of the frame it is about (latency figures).
        """
        text = json.dumps(message, separators=(",", ":"))
        with self._lock:
            loop = self._loop
        if loop is None:
            return  # no server yet: nobody can be connected
        try:
            loop.call_soon_threadsafe(self._fan_out, text, arrival)
        except RuntimeError:
            # The loop closed between the check and the call (server shutting down).
            log.debug("event not broadcast: the server is stopping")

    def subscribe(self) -> Client:
        """Event loop: a new client's queue."""
        client = Client(asyncio.Queue(self.queue_size + 1))
        self._clients.add(client)
        return client

    def unsubscribe(self, client: Client) -> None:
        """Event loop: forget a client."""
        self._clients.discard(client)

    def _fan_out(self, text: str, arrival: float | None) -> None:
        """Event loop: put ``text`` in every queue; mark clients that fell behind."""
        self.published += 1
        for client in list(self._clients):
            if client.overflowed:
                continue
            if client.queue.qsize() >= self.queue_size:
                client.overflowed = True
                self.dropped_clients += 1
                client.queue.put_nowait(None)  # the spare slot: tells its sender to close
                log.warning("a WebSocket client fell %d messages behind; dropped", self.queue_size)
                continue
            client.queue.put_nowait(text)
        if arrival is not None:
            self.latency.add(time.monotonic() - arrival)
