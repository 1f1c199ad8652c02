"""Sinks: where a run's results go, one protocol for batch and live runs.

A runner hands every sink one :class:`RunResult` per frame (and one at the end of the
stream), calls :meth:`Sink.flush` at checkpoints and :meth:`Sink.close` once. Sinks are built
from the pipeline YAML's ``sinks:`` through :mod:`framewise.pipeline.sinks`' registry, so batch
and live runs differ only in their source and their sinks.

Results come in three shapes, told apart by what they carry:

* a processed frame: ``frame`` and ``output`` (and the events it released);
* a replayed frame (a resume rebuilds the interrupted run's state from the journal):
  ``output`` only, no picture;
* a pre-roll frame (decoded again after a resume, only so thumbnails can be cut from it):
  ``frame`` only.

The event log is rewritten atomically at every checkpoint with ``complete: false`` and once
more at the end with ``complete: true``. Event ids are given in the order events are decided,
which is deterministic, so a resumed run gives every event the id (and thumbnail) it had.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from framewise.core.detections import Detections
from framewise.core.events import Event, EventLog, LogMetadata
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.events.log import write_event_log
from framewise.events.thumbnails import ThumbnailWriter, WantedFrames
from framewise.temporal import EventRecord

LOG_NAME = "events.json"
JOURNAL_NAME = "journal.jsonl"
THUMBNAILS = "thumbnails"


@dataclass(frozen=True, slots=True)
class Emitted:
    """An event and the record it was made from (its evidence and best frame)."""

    event: Event
    record: EventRecord


@dataclass(frozen=True, slots=True)
class RunTotals:
    """What the run did, handed to the sinks once, at the end of the stream."""

    frames: int
    processed_until: float
    source_stats: Mapping[str, Any]
    notes: Mapping[str, Any] = field(default_factory=dict)
    """Further figures for the log's metadata (e.g. ``footage_check``)."""


@dataclass(slots=True)
class RunResult:
    """What the sinks see for one frame (see the module docstring for the three shapes).

    Attributes:
        seconds: The frame's video time.
        index: The frame's index hint.
        frame: The picture (``None`` on a replay and at the end of the stream).
        output: What the stages found: detections and frame-level tags, features and
            embedding (``None`` on a pre-roll frame).
        events: The events this frame released, numbered, in decision order. Sinks that
            run before others may fill in an event's ``thumbnail``.
        wanted: Video times the temporal logic may still name as an event's frame.
        totals: Set on the last result of a finished stream only.
        repeated_from: A coarse-to-fine run's tick that was not decoded: the time of the
            keyframe whose results (and picture) it repeats.
    """

    seconds: float
    index: int
    frame: Frame | None = None
    output: FrameOutput | None = None
    events: list[Emitted] = field(default_factory=list)
    wanted: frozenset[float] = frozenset()
    totals: RunTotals | None = None
    repeated_from: float | None = None

    @property
    def detections(self) -> Detections | None:
        """The frame's detections (``None`` on a pre-roll frame)."""
        return self.output.detections if self.output is not None else None


@runtime_checkable
class Sink(Protocol):
    """Takes a run's results. ``write`` per frame, ``flush`` at checkpoints, ``close`` once."""

    def write(self, result: RunResult) -> None:
        """Take one result."""
        ...

    def flush(self) -> None:
        """Make everything taken so far durable (a checkpoint)."""
        ...

    def close(self) -> None:
        """Finish: write what is left and release files. Called once, also after an error."""
        ...


class ThumbnailSink:
    """Writes a JPEG per event, of the frame its record names, and puts its path on the event.

    It keeps as small JPEGs only the frames the temporal logic may still name. It must come
    before the sinks that write events (the registry puts it there).

    Args:
        out_dir: The run folder; thumbnails go to ``out_dir/thumbnails``.
        max_side: Longest thumbnail side in pixels.
        quality: JPEG quality.
    """

    def __init__(
        self, out_dir: str | os.PathLike[str], *, max_side: int | None = 640, quality: int = 85
    ) -> None:
        self.out_dir = Path(out_dir)
        self.kept = WantedFrames(max_side=max_side or 100_000, quality=quality)
        self.writer = ThumbnailWriter(self.out_dir / THUMBNAILS, self.out_dir)

    def write(self, result: RunResult) -> None:
        """Keep the frame if wanted; give each new event its thumbnail."""
        if result.frame is not None:
            named = {t for e in result.events for t in (e.record.seconds, e.record.best_seconds)}
            self.kept.offer(result.frame, result.wanted | named)
        replayed = result.frame is None and result.output is not None
        for emitted in result.events:
            emitted.event.thumbnail = self._thumbnail(emitted, replayed=replayed)
        if result.frame is not None and result.output is not None:
            self.kept.retain(result.wanted)

    def _thumbnail(self, emitted: Emitted, *, replayed: bool) -> str | None:
        event_id = emitted.event.event_id
        if replayed:
            # A replayed event keeps the file the interrupted run wrote for it.
            existing = self.out_dir / THUMBNAILS / f"{event_id}.jpg"
            return f"{THUMBNAILS}/{event_id}.jpg" if existing.exists() else None
        frame = self.kept.nearest(emitted.record.best_seconds)
        return self.writer.write(event_id, frame.jpeg) if frame is not None else None

    def flush(self) -> None:
        """Thumbnails are written atomically as they come: nothing to do."""

    def close(self) -> None:
        """Nothing to release."""


class JsonLogSink:
    """Collects a run's events and writes them as the JSON event log (seed W0's format).

    Args:
        out_dir: The run folder; the log is ``out_dir/events.json``.
        metadata: The log's metadata block (``processed_at`` is refreshed on every write).
    """

    def __init__(self, out_dir: str | os.PathLike[str], metadata: LogMetadata) -> None:
        self.out_dir = Path(out_dir)
        self.log_path = self.out_dir / LOG_NAME
        self.metadata = metadata
        self.events: list[Event] = []
        self._until = 0.0
        self._totals: RunTotals | None = None
        self._seen = False

    def write(self, result: RunResult) -> None:
        """Keep the result's events."""
        self._seen = True
        self.events.extend(e.event for e in result.events)
        if result.output is not None:
            self._until = result.seconds
        if result.totals is not None:
            self._totals = result.totals

    def flush(self) -> None:
        """Checkpoint: the log so far, marked incomplete."""
        self._write(complete=False, extra={})

    def close(self) -> None:
        """The final log: complete when the stream ended, else one more checkpoint."""
        totals = self._totals
        if totals is None:
            if self._seen:  # never replace a checkpoint with an empty log
                self.flush()
            return
        extra = {
            "source_stats": dict(totals.source_stats),
            "frames_processed": totals.frames,
            **totals.notes,
        }
        self._until = totals.processed_until
        self._write(complete=True, extra=extra)

    def _write(self, *, complete: bool, extra: dict[str, Any]) -> None:
        ordered = sorted(self.events, key=lambda e: (e.video_offset_seconds, e.event_id))
        metadata = LogMetadata.model_validate(
            {
                **self.metadata.model_dump(),
                "processed_at": datetime.now(UTC),
                "complete": complete,
                "processed_until_seconds": round(self._until, 6),
                **extra,
            }
        )
        write_event_log(self.log_path, EventLog(metadata=metadata, events=ordered))
