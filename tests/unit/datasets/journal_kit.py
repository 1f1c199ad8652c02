"""Real output folders for selection tests: a minimal event log plus a detection journal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from framewise.core.detections import Detections
from framewise.core.events import EventLog, LogMetadata
from framewise.events.journal import JournalEntry, JournalWriter
from framewise.events.log import write_event_log
from framewise.events.sinks import JOURNAL_NAME, LOG_NAME

START = datetime(2026, 1, 15, 18, 0, 0, tzinfo=UTC)
SCREEN = (10.0, 10.0, 110.0, 60.0)
"""A whole-screen-ish box most fake detections use (same box: no jumps)."""

Box = tuple[float, float, float, float]
Detection = tuple[str, float] | tuple[str, float, Box]
"""``(class, confidence)`` at :data:`SCREEN`, or ``(class, confidence, box)``."""


def detections(*found: Detection) -> Detections:
    """Detections from ``(class, confidence[, box])`` tuples."""
    if not found:
        return Detections.empty()
    boxes = [d[2] if len(d) == 3 else SCREEN for d in found]
    return Detections(
        np.array(boxes, np.float32),
        np.array([d[1] for d in found], np.float32),
        tuple(d[0] for d in found),
    )


def write_session(
    folder: Path,
    frames: Sequence[tuple[float, Sequence[Detection]]],
    *,
    video: str = "recording.mkv",
    fps: float = 10.0,
    journal: bool = True,
) -> Path:
    """Write ``folder/events.json`` (no events) and its journal; returns the log's path.

    Args:
        folder: The output folder (created).
        frames: ``(seconds, detections)`` per sampled frame, in time order.
        video: The log's ``metadata.video_path``.
        fps: Frame rate used for the frames' index hints.
        journal: Write the journal (``False``: a log without one).
    """
    folder.mkdir(parents=True, exist_ok=True)
    duration = frames[-1][0] + 1.0 if frames else 1.0
    metadata = LogMetadata(
        video_path=video,
        session_start_time=START,
        video_duration_seconds=duration,
        total_frames=round(duration * fps),
        detection_fps=fps,
        model_version="test",
        processed_at=START,
    )
    log = folder / LOG_NAME
    write_event_log(log, EventLog(schema_version=1, metadata=metadata, events=[]))
    if journal:
        writer = JournalWriter(folder / JOURNAL_NAME)
        for seconds, found in frames:
            writer.write(JournalEntry(round(seconds * fps), seconds, detections(*found)))
        writer.close()
    return log


def steady(
    name: str, confidence: float, count: int, *, start: float = 0.0, step: float = 0.1
) -> list[tuple[float, Sequence[Detection]]]:
    """``count`` frames ``step`` seconds apart, each with one ``name`` box at ``confidence``."""
    return [(round(start + i * step, 3), [(name, confidence)]) for i in range(count)]


def write_journal(
    folder: Path, frames: Sequence[tuple[float, Sequence[Detection]]], *, fps: float = 10.0
) -> Path:
    """Write ``folder/journal.jsonl`` alone (beside an existing log); returns its path.

    Args:
        folder: The log's folder.
        frames: ``(seconds, detections)`` per sampled frame, in time order.
        fps: The video's frame rate, for the frames' index hints.
    """
    path = folder / JOURNAL_NAME
    writer = JournalWriter(path)
    for seconds, found in frames:
        writer.write(JournalEntry(round(seconds * fps), seconds, detections(*found)))
    writer.close()
    return path
