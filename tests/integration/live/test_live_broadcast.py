"""The broadcaster's fan-out on a real event loop: every client gets each message, a client
that stops reading is cut off at its queue size, and latency is measured per message."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

from framewise.core.events import Event
from framewise.live.broadcast import Broadcaster
from framewise.live.runner import LiveEvent


def live_event(number: int, *, sent: bool = True) -> LiveEvent:
    event = Event(
        event_id=f"evt_{number:05d}",
        type="kill",
        timestamp=datetime(2026, 1, 15, 18, 0, number % 60, tzinfo=UTC),
        video_offset_seconds=number,
        frame_number=number * 10,
        confidence=0.9,
        data={"enemy_type": "scav"},
    )
    message = {"type": "kill", "timestamp": 0.0, "confidence": 0.9, "data": {"n": number}}
    return LiveEvent(event, "kill_notification", message if sent else None, time.monotonic(), 0.0)


def test_fan_out_and_a_slow_client_is_cut_off() -> None:
    async def scenario() -> tuple[list[str | None], list[str | None], Broadcaster]:
        broadcaster = Broadcaster(queue_size=3)
        broadcaster.attach(asyncio.get_running_loop())
        reader, stalled = broadcaster.subscribe(), broadcaster.subscribe()
        got: list[str | None] = []
        for number in range(5):
            broadcaster.publish(live_event(number))  # as the runner thread would
            broadcaster.publish(live_event(99, sent=False))  # not broadcast: skipped
            await asyncio.sleep(0)  # the loop runs the hand-over
            got.append(await reader.queue.get())
        backlog = [stalled.queue.get_nowait() for _ in range(stalled.queue.qsize())]
        broadcaster.unsubscribe(reader)
        broadcaster.unsubscribe(stalled)
        return got, backlog, broadcaster

    got, backlog, broadcaster = asyncio.run(scenario())
    assert [json.loads(text or "{}")["data"]["n"] for text in got] == [0, 1, 2, 3, 4]
    # The client that never read got 3 messages, then the "close" marker, and nothing more.
    assert [json.loads(t)["data"]["n"] if t else None for t in backlog] == [0, 1, 2, None]
    assert broadcaster.dropped_clients == 1
    assert broadcaster.published == 5
    assert broadcaster.latency.count == 5
    assert all(0 <= value < 1.0 for value in broadcaster.latency.values())
    assert broadcaster.clients == 0


def test_without_a_server_nothing_is_queued() -> None:
    broadcaster = Broadcaster()
    broadcaster.publish(live_event(1))
    assert broadcaster.published == 0
    assert broadcaster.latency.count == 0
