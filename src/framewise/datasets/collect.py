"""Reviewed event logs → labelled frames: what ``framewise export`` turns into a dataset.

For each log (``events.json`` with its ``journal.jsonl`` beside it, and its video):

* a **kept event** labels the sampled frame nearest its time with *every* detection the run
  journaled on that frame (a frame labelled in part would teach the model that the other
  objects are background);
* an event **added by a reviewer** is a false negative of the model: its frame goes to the
  task file to be labelled, and into the set as soon as the reviewer drew a box on it
  (the event's ``boxes``: ``[{"label": ..., "xyxy": [x1, y1, x2, y2]}]``, video pixels);
* a **deleted event** is a false positive: its frame goes to the task file with the model's
  boxes as pre-annotations, since nobody knows yet which box was wrong;
* **negatives** are sampled among journaled frames with no detection and no event near them.

Splits are by session: all of one video's frames go to ``train`` or all to ``val``.
"""

from __future__ import annotations

import bisect
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2

from framewise.core.atomic import write_bytes
from framewise.core.boxes import iou
from framewise.core.errors import ConfigError, InputNotFoundError, OutputError
from framewise.core.events import DELETED_EVENTS_KEY, Event, EventLog
from framewise.core.time import nearest
from framewise.datasets.labels import Box, LabelledImage, LabelSet, Origin
from framewise.datasets.split import split_sessions
from framewise.events.journal import JournalEntry, read_journal
from framewise.events.log import read_event_log
from framewise.events.sinks import JOURNAL_NAME
from framewise.sources.stills import pictures_at

log = logging.getLogger(__name__)

NEGATIVE_CLEARANCE_S = 2.0
"""A negative is at least this far from any event and any detection-bearing frame."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportSettings:
    """Choices of an export.

    Attributes:
        negative_share: Share of the written images that are negatives (no boxes).
        val_share: Share of sessions kept for validation.
        seed: Seed of the split and of the choice of negatives.
        min_confidence: Journaled detections below this are left out of the labels.
        approved_only: Label only events a reviewer approved (else every kept event).
        context_seconds: Also label the journaled frames this close to a kept event that
            show exactly the same classes (the event's own on-screen span); 0: none.
        context_step: Seconds between two such frames (near-identical frames teach little).
        names: Class order to start from: the model to be retrained's, so class ids keep
            their meaning; classes it lacks are appended.
        quality: JPEG quality of the written frames.
    """

    negative_share: float = 0.1
    val_share: float = 0.2
    seed: int = 0
    min_confidence: float = 0.0
    approved_only: bool = False
    context_seconds: float = 1.0
    context_step: float = 0.5
    names: tuple[str, ...] = ()
    quality: int = 92


@dataclass(frozen=True)
class Task:
    """A frame a person should label: the model missed something there, or saw too much."""

    session: str
    image: str
    seconds: float
    reason: str
    event_id: str
    event_type: str


@dataclass
class Collected:
    """Labelled frames ready for a format writer, plus the frames still to be labelled."""

    labels: LabelSet
    to_label: LabelSet
    tasks: list[Task] = field(default_factory=list)


@dataclass
class _Wanted:
    """What one frame of a session will become."""

    seconds: float
    origin: Origin
    boxes: list[Box]
    task: Task | None = None


def collect(
    logs: Sequence[Path],
    images_dir: Path,
    settings: ExportSettings,
    *,
    video: Path | None = None,
    progress: Progress | None = None,
) -> Collected:
    """Write the frames the logs' events point at into ``images_dir`` and label them.

    Raises:
        ConfigError: Two logs of one session, or bad settings.
        InputNotFoundError: A log's journal or video is missing.
    """
    if video is not None and len(logs) != 1:
        raise ConfigError("--video names the video of a single log", hint="pass one log")
    sessions = {_session(Path(p), video): Path(p) for p in logs}
    if len(sessions) != len(logs):
        raise ConfigError("two logs come from videos of the same name", hint="export them apart")
    split_of = _splits(list(sessions), settings)
    labels, to_label = LabelSet(names=list(settings.names)), LabelSet(names=list(settings.names))
    tasks: list[Task] = []
    rng = random.Random(settings.seed)
    for done, (session, path) in enumerate(sorted(sessions.items()), start=1):
        event_log = read_event_log(path)
        journal = _journal(path)
        source = video or _video(path, event_log)
        wanted = _wanted(session, event_log, journal, settings, rng)
        for image in _write_frames(source, session, wanted, images_dir, settings.quality):
            image.split = split_of[session]
            target = labels if wanted[image.seconds or 0.0].task is None else to_label
            for box in image.boxes:
                target.class_id(box.label)
            target.images.append(image)
        tasks += [w.task for w in wanted.values() if w.task is not None]
        if progress is not None:
            progress(done, len(sessions))
    if len(sessions) < 2 and settings.val_share > 0:
        # Said once the export is done: a failed one says only why it failed.
        log.warning("one session only: every frame goes to train (no validation split)")
    return Collected(labels, to_label, tasks)


def _session(path: Path, video: Path | None) -> str:
    """The session's name: its video's stem, else the log folder's name."""
    if video is not None:
        return video.stem
    return Path(read_event_log(path).metadata.video_path).stem or path.parent.name


def _splits(sessions: list[str], settings: ExportSettings) -> dict[str, str]:
    if len(sessions) < 2 or settings.val_share == 0:
        return dict.fromkeys(sessions, "train")
    split = split_sessions([Path(s) for s in sessions], settings.val_share, settings.seed)
    return {str(path): name for path, name in split.items()}


def _journal(log_path: Path) -> list[JournalEntry]:
    path = log_path.parent / JOURNAL_NAME
    if not path.is_file():
        raise InputNotFoundError(
            "no detection journal beside the event log",
            subject=path,
            hint="export needs the folder `framewise process` wrote (events.json + journal.jsonl)",
        )
    return sorted(read_journal(path), key=lambda entry: entry.seconds)


def _video(log_path: Path, event_log: EventLog) -> Path:
    """The log's video: its recorded path, as given or beside the log."""
    recorded = Path(event_log.metadata.video_path)
    for candidate in (recorded, log_path.parent / recorded, log_path.parent / recorded.name):
        if candidate.is_file():
            return candidate
    raise InputNotFoundError(
        "the log's video is not where the log says",
        subject=recorded,
        hint="pass --video with the video's path",
    )


def _nearest(journal: list[JournalEntry], times: list[float], seconds: float) -> JournalEntry:
    found = nearest(times, seconds)
    assert found is not None  # _wanted returns early on an empty journal
    return journal[found]


def _boxes(entry: JournalEntry, min_confidence: float) -> list[Box]:
    dets = entry.detections
    boxes = []
    for i, name in enumerate(dets.class_name):
        if dets.confidence[i] >= min_confidence:
            x1, y1, x2, y2 = (float(v) for v in dets.xyxy[i])
            boxes.append(Box(name, x1, y1, x2, y2, score=float(dets.confidence[i])))
    return boxes


def _drawn(event: Event | dict[str, Any]) -> list[Box]:
    """Boxes a reviewer drew on an event (its ``boxes`` field)."""
    raw = event.get("boxes") if isinstance(event, dict) else getattr(event, "boxes", None)
    boxes = []
    for item in raw if isinstance(raw, list) else []:
        try:
            x1, y1, x2, y2 = (float(v) for v in item["xyxy"])
            boxes.append(Box(str(item["label"]), x1, y1, x2, y2))
        except (KeyError, TypeError, ValueError):
            log.warning("a drawn box without label and xyxy was left out: %r", item)
    return boxes


def _wanted(
    session: str,
    event_log: EventLog,
    journal: list[JournalEntry],
    settings: ExportSettings,
    rng: random.Random,
) -> dict[float, _Wanted]:
    """Frame time → what it becomes, for one session."""
    if not journal:
        return {}
    times = [entry.seconds for entry in journal]
    wanted: dict[float, _Wanted] = {}
    for event in event_log.events:
        entry = _nearest(journal, times, event.video_offset_seconds)
        name = _image_name(session, entry.seconds)
        model = _boxes(entry, settings.min_confidence)
        at = entry.seconds
        if event.added_by_reviewer:
            # Labelled once the reviewer drew a box (on the frame shown at the event's time);
            # until then, a frame to label.
            drawn = _drawn(event)
            reason = None if drawn else "missed"
            if drawn:
                at = event.video_offset_seconds
                name = _image_name(session, at)
            wanted[at] = _Wanted(at, "reviewer", _merge(model, drawn))
        elif (event.approved or not settings.approved_only) and at not in wanted:
            reason = None if model else "no_boxes"  # moved off the frames that showed it
            wanted[at] = _Wanted(at, "event", model)
        else:
            continue
        if reason is not None:
            wanted[at].task = Task(session, name, at, reason, event.event_id, event.type)
    deleted = (event_log.model_extra or {}).get(DELETED_EVENTS_KEY) or []
    for raw in deleted:
        seconds = float(raw.get("video_offset_seconds", 0.0))
        entry = _nearest(journal, times, seconds)
        if entry.seconds in wanted:
            continue
        task = Task(
            session,
            _image_name(session, entry.seconds),
            entry.seconds,
            "false_positive",
            str(raw.get("event_id", "")),
            str(raw.get("type", "")),
        )
        boxes = _boxes(entry, settings.min_confidence)
        wanted[entry.seconds] = _Wanted(entry.seconds, "event", boxes, task)
    _add_context(journal, wanted, settings)
    positives = sum(1 for w in wanted.values() if w.task is None and w.boxes)
    room = int(positives * settings.negative_share / (1.0 - settings.negative_share))
    busy = sorted([e.seconds for e in journal if len(e.detections)] + list(wanted))
    empty = [e.seconds for e in journal if not len(e.detections) and _clear(busy, e.seconds)]
    for seconds in sorted(rng.sample(empty, min(room, len(empty)))):
        wanted[seconds] = _Wanted(seconds, "negative", [])
    return wanted


def _add_context(
    journal: list[JournalEntry], wanted: dict[float, _Wanted], settings: ExportSettings
) -> None:
    """Label the frames around each kept event that show exactly its classes."""
    if settings.context_seconds <= 0:
        return
    times = [entry.seconds for entry in journal]
    taken = sorted(wanted)
    for item in [w for w in wanted.values() if w.task is None and w.origin == "event"]:
        classes = sorted(box.label for box in item.boxes)
        if not classes:
            continue
        low = bisect.bisect_left(times, item.seconds - settings.context_seconds)
        high = bisect.bisect_right(times, item.seconds + settings.context_seconds)
        for entry in journal[low:high]:
            boxes = _boxes(entry, settings.min_confidence)
            if sorted(b.label for b in boxes) != classes:
                continue
            close = nearest(taken, entry.seconds)
            if close is not None and abs(taken[close] - entry.seconds) < settings.context_step:
                continue
            wanted[entry.seconds] = _Wanted(entry.seconds, "event", boxes)
            bisect.insort(taken, entry.seconds)


def _clear(busy: list[float], seconds: float) -> bool:
    close = nearest(busy, seconds)
    return close is None or abs(busy[close] - seconds) >= NEGATIVE_CLEARANCE_S


def _merge(model: list[Box], drawn: list[Box]) -> list[Box]:
    """The drawn boxes plus the model's boxes that none of them replaces."""
    return drawn + [m for m in model if all(iou(m.xyxy, d.xyxy) < 0.5 for d in drawn)]


def _image_name(session: str, seconds: float) -> str:
    return f"{session}_{round(seconds * 1000):09d}.jpg"


def _write_frames(
    video: Path, session: str, wanted: dict[float, _Wanted], out: Path, quality: int
) -> list[LabelledImage]:
    images = []
    for seconds, picture in pictures_at(video, list(wanted)):
        height, width = picture.shape[:2]
        ok, jpeg = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise OutputError(f"could not encode the frame at {seconds:.3f} s", subject=video)
        path = out / _image_name(session, seconds)
        write_bytes(path, bytes(jpeg.tobytes()))
        item = wanted[seconds]
        boxes = [b for b in (box.clipped(width, height) for box in item.boxes) if b is not None]
        images.append(
            LabelledImage(path, width, height, boxes, "train", session, seconds, item.origin)
        )
    return images
