"""``--store``: raids, state transitions and kills written to the event store as they happen.

A background thread sends each event through :class:`~framewise.store_api.client.StoreClient`
(the importer's client, with its retries), so a slow or restarting store never holds up
the pipeline. The calls follow the importer's rules, so a live session and an imported
recording of it store the same rows:

* the first event joins the store's active session, or starts one at the run's session
  start (``event.timestamp - video_offset_seconds``);
* ``raid_start`` creates a raid (a raid still open in the store is first ended with the
  final state ``unknown``, as the importer closes dangling raids);
* ``state_transition`` and ``kill`` go to the open raid (outside a raid they are skipped);
* ``raid_end`` ends it with ``final_state`` = the outcome and the extract location;
* at shutdown an open raid is ended as ``unknown`` and a session this writer started ends.

Every write carries the event's own time (historical times on a replay). Failures are
logged and counted (``/stats``), never raised into the pipeline.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from framewise.core.errors import StoreError
from framewise.core.events import Event
from framewise.live.runner import LiveEvent
from framewise.profiles.tarkov.store_rules import (
    STORED_TYPES,
    UNKNOWN,
    kill_fields,
    norm_state,
    raid_end_fields,
    raid_fields,
)
from framewise.store_api.client import StoreClient
from framewise.store_api.schemas import (
    CreateRaidRequest,
    CreateSessionRequest,
    EndRaidRequest,
    EndSessionRequest,
    KillRequest,
    TransitionRequest,
)

log = logging.getLogger(__name__)


class StoreWriter:
    """Writes the store-relevant events of a live run, in order, from its own thread.

    Args:
        client: The store client (closed by :meth:`close`).
        session_type: ``stream``, ``practice`` or ``casual`` for a session it starts.
    """

    def __init__(self, client: StoreClient, *, session_type: str = "stream") -> None:
        self.client = client
        self.session_type = session_type
        self.sent = 0
        self.failed = 0
        self.skipped = 0
        self.last_error: str | None = None
        self.session_id: int | None = None
        self.raid_id: int | None = None
        self._started_session = False
        self._last_time: datetime | None = None
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="framewise-live-store", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Events waiting to be sent."""
        return self._queue.qsize()

    def submit(self, live: LiveEvent) -> None:
        """Publisher: queue the event if the store keeps its type (never blocks)."""
        if live.event.type in STORED_TYPES:
            self._queue.put(live.event)

    def close(self, *, ended_at: datetime | None = None, timeout_s: float = 60.0) -> None:
        """Send what is queued, close the open raid and the session it started, and stop."""
        self._queue.put(None)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("the event store writer did not finish within %.0f s", timeout_s)
        else:
            self._finish(ended_at or self._last_time)
        self.client.close()

    def stats(self) -> dict[str, Any]:
        """Counters for ``/stats``."""
        return {
            "url": self.client.base_url,
            "sent": self.sent,
            "failed": self.failed,
            "skipped": self.skipped,
            "pending": self.pending,
            "session_id": self.session_id,
            "raid_id": self.raid_id,
            "last_error": self.last_error,
        }

    # ----------------------------------------------------------------- the thread

    def _run(self) -> None:
        while (event := self._queue.get()) is not None:
            try:
                self._write(event)
            except StoreError as error:
                self._fail(event, error.one_line())
            except ValidationError as error:  # the event's fields break the API contract
                first = error.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                self._fail(event, f"{where}: {first['msg']}")

    def _fail(self, event: Event, why: str) -> None:
        self.failed += 1
        self.last_error = f"{event.event_id} ({event.type}): {why}"
        log.warning("event store: %s", self.last_error)

    def _write(self, event: Event) -> None:
        self._last_time = event.timestamp
        self._ensure_session(event)
        data = event.data
        if event.type == "raid_start":
            self._close_dangling(event.timestamp)
            fields = {k: v or None for k, v in raid_fields(data).items()}
            body = CreateRaidRequest.model_validate({**fields, "started_at": event.timestamp})
            self.raid_id = None
            self.raid_id = self.client.create_raid(body)
        elif self.raid_id is None:
            self.skipped += 1  # outside a raid (or its raid_start was refused)
            return
        elif event.type == "state_transition":
            to_state = norm_state(data.get("to_state"))
            self.client.transition(
                self.raid_id, TransitionRequest(to_state=to_state, transitioned_at=event.timestamp)
            )
        elif event.type == "kill":
            fields = kill_fields(data)
            fields["enemy_type"] = fields["enemy_type"] or UNKNOWN
            kill = KillRequest.model_validate({**fields, "timestamp": event.timestamp})
            self.client.add_kill(self.raid_id, kill)
        else:  # raid_end
            raid_id, self.raid_id = self.raid_id, None
            final, extract = raid_end_fields(data)
            self.client.end_raid(
                raid_id,
                EndRaidRequest(
                    final_state=final, extract_location=extract, ended_at=event.timestamp
                ),
            )
        self.sent += 1

    def _ensure_session(self, event: Event) -> None:
        if self.session_id is not None:
            return
        active = self.client.current_session()
        if active is not None:
            self.session_id = active.session_id
            return
        started = event.timestamp - timedelta(seconds=event.video_offset_seconds)
        body = CreateSessionRequest.model_validate(
            {"session_type": self.session_type, "notes": "framewise live", "started_at": started}
        )
        self.session_id = self.client.create_session(body)
        self._started_session = True

    def _close_dangling(self, at: datetime) -> None:
        """End a raid the store still has open (ours or a previous run's) as ``unknown``."""
        open_raid = self.client.current_raid()
        if open_raid is None:
            return
        log.warning("event store: raid %d was still open; ended as unknown", open_raid.raid_id)
        self.client.end_raid(open_raid.raid_id, EndRaidRequest(final_state=UNKNOWN, ended_at=at))

    def _finish(self, ended_at: datetime | None) -> None:
        try:
            if self.raid_id is not None:
                self.client.end_raid(
                    self.raid_id, EndRaidRequest(final_state=UNKNOWN, ended_at=ended_at)
                )
                self.raid_id = None
            if self._started_session:
                self.client.end_session(EndSessionRequest(ended_at=ended_at))
        except StoreError as error:
            self.failed += 1
            self.last_error = f"at shutdown: {error.one_line()}"
            log.warning("event store: %s", self.last_error)
