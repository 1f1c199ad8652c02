"""Sinks for batch runs: event records → numbered events with thumbnails → the JSON event log.

The log is rewritten atomically at every checkpoint with ``complete: false`` and once more at
the end with ``complete: true``. Event ids are given in the order events are decided, which is
deterministic, so a resumed run gives every event the id (and thumbnail) it had before.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framewise.core.events import Event, EventLog, LogMetadata
from framewise.core.time import SessionStart
from framewise.events.log import write_event_log
from framewise.events.thumbnails import ThumbnailWriter, WantedFrames
from framewise.temporal import EventRecord

LOG_NAME = "events.json"
JOURNAL_NAME = "journal.jsonl"
THUMBNAILS = "thumbnails"


class JsonLogSink:
    """Collects events for one video and writes its log and thumbnails.

    Args:
        out_dir: The video's output folder (log, ``thumbnails/``, journal).
        metadata: The log's metadata block (``processed_at`` is refreshed on every write).
        session_start: Maps video seconds to wall time.
        nominal_fps: Used for frame numbers of events whose frame is no longer in memory.
        thumbnails: Write a JPEG per event.
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        metadata: LogMetadata,
        session_start: SessionStart,
        *,
        nominal_fps: float,
        thumbnails: bool = True,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.log_path = self.out_dir / LOG_NAME
        self.metadata = metadata
        self.session_start = session_start
        self.nominal_fps = nominal_fps
        self.writer = (
            ThumbnailWriter(self.out_dir / THUMBNAILS, self.out_dir) if thumbnails else None
        )
        self.events: list[Event] = []

    def add(self, records: Sequence[EventRecord], frames: WantedFrames | None) -> list[Event]:
        """Number ``records``, attach thumbnails and keep them; returns the new events.

        Thumbnails come from ``frames``; on a replay (``frames`` is ``None``) they are the files
        the interrupted run wrote.
        """
        added = []
        for record in records:
            event_id = f"evt_{len(self.events) + 1:05d}"
            frame = frames.nearest(record.best_seconds) if frames is not None else None
            at = frames.nearest(record.seconds) if frames is not None else None
            frame_number = at.index if at is not None else round(record.seconds * self.nominal_fps)
            thumbnail = None
            if self.writer is not None:
                if frame is not None:
                    thumbnail = self.writer.write(event_id, frame.jpeg)
                elif (self.out_dir / THUMBNAILS / f"{event_id}.jpg").exists():
                    thumbnail = f"{THUMBNAILS}/{event_id}.jpg"
            event = record.to_event(
                event_id, self.session_start.wall_time(record.seconds), frame_number, thumbnail
            )
            self.events.append(event)
            added.append(event)
        return added

    def write(self, *, complete: bool, processed_until: float, extra: dict[str, Any]) -> None:
        """Write the log atomically, events in time order."""
        ordered = sorted(self.events, key=lambda e: (e.video_offset_seconds, e.event_id))
        metadata = self.metadata.model_copy(
            update={
                "processed_at": datetime.now(UTC),
                "complete": complete,
                "processed_until_seconds": round(processed_until, 6),
                **extra,
            }
        )
        write_event_log(self.log_path, EventLog(metadata=metadata, events=ordered))
