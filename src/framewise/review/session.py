"""The review session: one event log on disk, the changes a reviewer makes, and undo.

Every change is applied under a lock, written to disk atomically at once (same JSON format),
and pushed on an undo stack as the list of events before the change. Events are never changed
in place (a change replaces an event by an edited copy), so that list costs no copying.

Touched events get ``manually_reviewed: true`` and keep, in ``original``, the values they had
before the first touch; the log's metadata gets ``manually_reviewed: true``. Deleted model
events are not lost: they move to the log's ``deleted_events`` list (an extra top-level field
that readers keep and importers ignore), because a deleted false positive is exactly what the
training loop needs. Events a reviewer added (false negatives) may carry the boxes drawn on
their frame, in their ``boxes`` field (:mod:`framewise.review.boxes`): the labels export uses.

Example:
    >>> session = ReviewSession.open("run/events.json")  # doctest: +SKIP
    >>> session.approve(["evt_00003"])  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError, InputError
from framewise.core.events import DELETED_EVENTS_KEY, Event, EventLog, JsonValue
from framewise.events.log import read_event_log
from framewise.review.boxes import clean_boxes, set_boxes

UNDO_DEPTH = 500
"""Changes that can be undone (each keeps one copy of the events)."""

DELETED_KEY = DELETED_EVENTS_KEY
"""Top-level list of the events a reviewer deleted, each with its ``original`` values."""

ORIGINAL_FIELDS = ("type", "data", "video_offset_seconds", "timestamp", "confidence")
"""The values kept in ``original`` before the first manual change."""

ADDED_PREFIX = "rev_"
"""Event ids of events added by a reviewer (distinct from a pipeline's ``evt_`` ids)."""


class UnknownEventError(InputError):
    """A change names an event id the log does not hold."""


class LogChangedError(InputError):
    """The log file was rewritten by someone else while under review."""


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, -1)
    return (stat.st_mtime_ns, stat.st_size)


def _snapshot(event: Event) -> dict[str, JsonValue]:
    dumped = event.model_dump(mode="json", include=set(ORIGINAL_FIELDS))
    return {name: dumped[name] for name in ORIGINAL_FIELDS}


def _touch(event: Event) -> None:
    """Mark ``event`` as reviewed, keeping its first values (added events have none)."""
    if event.original is None and not event.added_by_reviewer:
        event.original = _snapshot(event)
    event.manually_reviewed = True


class ReviewSession:
    """The event log under review, its lock and its undo stack.

    Args:
        log_path: The JSON event log, rewritten atomically after every change.
        log: The log as read from ``log_path``.
    """

    def __init__(self, log_path: Path, log: EventLog) -> None:
        self.log_path = log_path
        self._log = log
        self._lock = threading.Lock()
        self._undo: list[tuple[list[Event], list[Any]]] = []
        # The JSON data last written: built once per change, served until the next one.
        self._payload = log.to_json_dict()
        self._stamp = _stamp(log_path)

    @property
    def complete(self) -> bool:
        """The run that wrote the log finished (``False``: a checkpoint of a running run)."""
        return self._log.metadata.complete

    @classmethod
    def open(cls, log_path: str | os.PathLike[str]) -> ReviewSession:
        """Read the log at ``log_path`` (one-line errors for a missing or invalid file)."""
        path = Path(log_path).resolve()
        return cls(path, read_event_log(path))

    @property
    def log_dir(self) -> Path:
        """The folder of the log; thumbnails are served from here and nowhere else."""
        return self.log_path.parent

    @property
    def undo_depth(self) -> int:
        """How many changes :meth:`undo` can take back."""
        return len(self._undo)

    def payload(self) -> dict[str, Any]:
        """The log as JSON data, as it is on disk (shared: do not modify it)."""
        with self._lock:
            return self._payload

    def state(self) -> tuple[dict[str, Any], int]:
        """The log as JSON data and the undo depth, read together."""
        with self._lock:
            return self._payload, len(self._undo)

    def recorded_video_path(self) -> str:
        """The recording named in the log's metadata (as written, possibly relative)."""
        return self._log.metadata.video_path

    def pipeline_name(self) -> str | None:
        """The name of the pipeline that wrote the log (a bundled profile's, or another)."""
        return self._log.metadata.pipeline

    def nominal_fps(self) -> float:
        """Frames per second of the video, from the log's metadata (for frame numbers)."""
        meta = self._log.metadata
        if meta.total_frames and meta.video_duration_seconds:
            return meta.total_frames / meta.video_duration_seconds
        return meta.detection_fps

    # -- changes ---------------------------------------------------------------------------

    def update(
        self,
        event_id: str,
        *,
        type_: str | None = None,
        data: dict[str, JsonValue] | None = None,
        video_offset_seconds: float | None = None,
        boxes: Sequence[Mapping[str, Any]] | None = None,
    ) -> Event:
        """Change an event's type, data fields (``None`` removes a field), time or boxes.

        ``boxes`` replaces the boxes drawn on an event a reviewer added (``[]`` removes
        them); see :mod:`framewise.review.boxes`.

        Raises:
            UnknownEventError: No event has that id.
            ConfigError: An empty type, a negative time, a bad box, or boxes on an event
                the model found (export labels those with the model's own boxes).
        """
        if type_ is not None and not type_.strip():
            raise ConfigError("an event type cannot be empty", subject=event_id)
        drawn = clean_boxes(boxes, subject=event_id) if boxes is not None else None
        with self._change():
            event = self._editable(event_id)
            if drawn is not None and not event.added_by_reviewer:
                raise ConfigError(
                    "boxes can be drawn only on events a reviewer added",
                    subject=event_id,
                    hint="export labels a model event's frame with the model's own boxes",
                )
            _touch(event)
            if drawn is not None:
                set_boxes(event, drawn)
            if type_ is not None:
                event.type = type_.strip()
            if data is not None:
                merged = dict(event.data)
                for key, value in data.items():
                    if value is None:
                        merged.pop(key, None)
                    else:
                        merged[key] = value
                event.data = merged
            if video_offset_seconds is not None:
                self._move(event, video_offset_seconds)
            return event

    def add(
        self,
        type_: str,
        video_offset_seconds: float,
        data: dict[str, JsonValue] | None = None,
        confidence: float = 1.0,
        thumbnail: Callable[[str], str | None] | None = None,
        boxes: Sequence[Mapping[str, Any]] | None = None,
    ) -> Event:
        """Add an event a model missed, at ``video_offset_seconds`` of the video.

        Args:
            type_: The event type.
            video_offset_seconds: Where in the video it happened.
            data: Its fields.
            confidence: 1.0: a person saw it.
            boxes: Boxes the reviewer drew on that frame, ``{"label", "xyxy"}`` in video
                pixels: the labels ``framewise export`` trains the next model on.
            thumbnail: Called with the new event's id; writes its picture and returns the
                path relative to the log's folder (or ``None`` without one).

        Raises:
            ConfigError: An empty type, a time outside the video or a bad box.
        """
        if not type_.strip():
            raise ConfigError("an event type cannot be empty", subject="new event")
        drawn = clean_boxes(boxes or [], subject="new event")
        with self._change():
            taken = {e.event_id for e in self._log.events} | {
                str(d.get("event_id")) for d in self._deleted()
            }
            number = 1
            while f"{ADDED_PREFIX}{number:05d}" in taken:
                number += 1
            event = Event(
                event_id=f"{ADDED_PREFIX}{number:05d}",
                type=type_.strip(),
                timestamp=self._log.metadata.session_start_time,
                video_offset_seconds=0.0,
                frame_number=0,
                confidence=confidence,
                data={k: v for k, v in (data or {}).items() if v is not None},
                manually_reviewed=True,
                approved=True,
                added_by_reviewer=True,
            )
            set_boxes(event, drawn)
            self._move(event, video_offset_seconds)
            if thumbnail is not None:
                event.thumbnail = thumbnail(event.event_id)
            self._log.events.append(event)
            return event

    def approve(self, event_ids: Sequence[str], approved: bool = True) -> list[str]:
        """Mark events as confirmed (or take the confirmation back); returns their ids."""
        if not event_ids:
            return []
        with self._change():
            events = [self._editable(i) for i in dict.fromkeys(event_ids)]
            for event in events:
                _touch(event)
                event.approved = approved
            return [e.event_id for e in events]

    def delete(self, event_ids: Sequence[str]) -> list[str]:
        """Delete events (false positives); model events move to ``deleted_events``."""
        if not event_ids:
            return []
        with self._change():
            doomed = {self._log.events[self._position(i)].event_id for i in event_ids}
            deleted = self._deleted()
            for event in self._log.events:
                if event.event_id in doomed and not event.added_by_reviewer:
                    gone = event.model_copy(deep=True)
                    _touch(gone)
                    deleted.append(gone.model_dump(mode="json"))
            self._log.events = [e for e in self._log.events if e.event_id not in doomed]
            self._set_deleted(deleted)
            return sorted(doomed)

    def ids_between(self, start: float, end: float) -> list[str]:
        """Ids of the events from ``start`` to ``end`` seconds of video (both included)."""
        with self._lock:
            return [e.event_id for e in self._log.events if start <= e.video_offset_seconds <= end]

    def undo(self) -> bool:
        """Take back the last change; ``False`` when there is none."""
        with self._lock:
            if not self._undo:
                return False
            self._check_unchanged()
            events, deleted = self._undo.pop()
            self._log.events = events
            self._set_deleted(deleted)
            self._save()
            return True

    # -- internals (called with the lock held) ---------------------------------------------

    def _position(self, event_id: str) -> int:
        for position, event in enumerate(self._log.events):
            if event.event_id == event_id:
                return position
        raise UnknownEventError(
            "no such event in the log", subject=event_id, hint="reload the page"
        )

    def _editable(self, event_id: str) -> Event:
        """A fresh copy of the event, put in its place (never changed in place, see above)."""
        position = self._position(event_id)
        event = self._log.events[position].model_copy(deep=True)
        self._log.events[position] = event
        return event

    def _move(self, event: Event, seconds: float) -> None:
        duration = self._log.metadata.video_duration_seconds
        if seconds < 0 or (duration and seconds > duration + 1.0):
            raise ConfigError(
                f"time {seconds:.3f} s is outside the video (0 to {duration:.3f} s)",
                subject=event.event_id,
            )
        # Milliseconds, as the wall time is written: a player's 3.999999 s is 4 s in both
        # (frames are at least 4 ms apart even at 240 fps).
        seconds = round(seconds, 3)
        event.video_offset_seconds = seconds
        event.timestamp = self._log.metadata.session_start_time + timedelta(seconds=seconds)
        event.frame_number = max(0, round(seconds * self.nominal_fps()))

    def _deleted(self) -> list[Any]:
        extra = self._log.model_extra or {}
        value = extra.get(DELETED_KEY)
        return list(value) if isinstance(value, list) else []

    def _set_deleted(self, deleted: Iterable[Any]) -> None:
        kept = list(deleted)
        if kept:
            setattr(self._log, DELETED_KEY, kept)
        elif self._log.model_extra and DELETED_KEY in self._log.model_extra:
            del self._log.model_extra[DELETED_KEY]

    @contextlib.contextmanager
    def _change(self) -> Iterator[None]:
        """One undoable change: applied and saved, or rolled back whole on any error."""
        with self._lock:
            self._check_unchanged()
            before = (list(self._log.events), self._deleted())
            try:
                yield
                self._save()
            except BaseException:
                # Restore the events so memory matches the file the failed change left alone.
                self._log.events = before[0]
                self._set_deleted(before[1])
                raise
            self._undo.append(before)
            del self._undo[:-UNDO_DEPTH]

    def _save(self) -> None:
        self._log.events.sort(key=lambda e: (e.video_offset_seconds, e.event_id))
        self._log.metadata.manually_reviewed = True
        payload = self._log.to_json_dict()
        # As write_event_log does, with the JSON data kept for the API's answers.
        write_json(self.log_path, payload)
        self._payload = payload
        self._stamp = _stamp(self.log_path)

    def _check_unchanged(self) -> None:
        """Refuse to overwrite a log another program rewrote since this session saved it."""
        if _stamp(self.log_path) != self._stamp:
            raise LogChangedError(
                "the log was changed on disk by another program",
                subject=self.log_path,
                hint="restart `framewise review` to load it (nothing was overwritten)",
            )
