"""What the box drawer offers: the model's class names and the boxes it journaled per frame.

Both are read once per review server, on first use, and kept: the class names come from the
detection journal beside the log (every class the run found) and, when the log was written by
a bundled profile's pipeline (``metadata.pipeline``), from that profile's YOLO model (every
class it can find, in the model's order, so a new label keeps the class ids of the model to be
retrained). The journal is kept as times and plain rows, not as arrays per frame, so even a
long run's journal costs a few bytes per sampled frame.

Example:
    >>> catalog = BoxCatalog(Path("run/journal.jsonl"), "tarkov")  # doctest: +SKIP
    >>> catalog.labels()[:2]  # doctest: +SKIP
    ['main_menu', 'stash_screen']
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from framewise.config.pipeline import load_pipeline
from framewise.core.detections import Detections
from framewise.core.errors import FramewiseError
from framewise.core.time import nearest
from framewise.events.journal import read_journal
from framewise.pipeline.chain import build_stage
from framewise.profiles import PROFILES, profile_pipeline

log = logging.getLogger(__name__)

NEAREST_WITHIN_S = 1.0
"""A journaled frame farther than this from the asked time is not "that frame"."""

Row = tuple[str, float, float, float, float, float]
"""One journaled detection: class, confidence, x1, y1, x2, y2 (video pixels)."""


@dataclass(frozen=True)
class JournaledFrame:
    """The model's boxes on the sampled frame nearest a time."""

    seconds: float
    rows: tuple[Row, ...]


def _rows(dets: Detections) -> tuple[Row, ...]:
    rows = []
    for i, name in enumerate(dets.class_name):
        x1, y1, x2, y2 = (float(v) for v in dets.xyxy[i])
        rows.append((name, float(dets.confidence[i]), x1, y1, x2, y2))
    return tuple(rows)


def profile_names(pipeline: str | None) -> list[str]:
    """Class names of the model stages of bundled profile ``pipeline`` (none for others).

    A profile whose model cannot be read leaves the names out with a warning: the page works
    without them (the journal's classes are still offered).
    """
    if pipeline not in PROFILES:
        return []
    names: list[str] = []
    try:
        config = load_pipeline(profile_pipeline(pipeline))
        # Only stages that run a model file name classes; readers (OCR) are not loaded.
        for detector in config.detectors:
            if detector.model_path() is not None:
                stage = build_stage(detector)
                names += [n for n in stage.class_names if n not in names]
                stage.close()
    except FramewiseError as error:
        log.warning("the class names of profile %s are not offered: %s", pipeline, error)
    return names


class BoxCatalog:
    """The class names a reviewer can pick, and the journaled boxes of each sampled frame.

    Args:
        journal: The detection journal beside the log (may be missing: no journaled boxes).
        pipeline: The log's ``metadata.pipeline`` (a bundled profile's name adds its model's
            class names).
    """

    def __init__(self, journal: Path, pipeline: str | None) -> None:
        self._journal = journal
        self._pipeline = pipeline
        self._lock = threading.Lock()
        self._names: list[str] | None = None
        self._times: list[float] = []
        self._rows: list[tuple[Row, ...]] = []

    def labels(self) -> list[str]:
        """The model's class names, then the journal's other classes (sorted)."""
        self._load()
        return list(self._names or [])

    def frame(self, seconds: float) -> JournaledFrame | None:
        """The journaled frame nearest ``seconds`` (``None`` when none is within 1 s)."""
        self._load()
        best = nearest(self._times, seconds)
        if best is None or abs(self._times[best] - seconds) > NEAREST_WITHIN_S:
            return None
        return JournaledFrame(self._times[best], self._rows[best])

    def _load(self) -> None:
        with self._lock:
            if self._names is not None:
                return
            entries = sorted(read_journal(self._journal), key=lambda entry: entry.seconds)
            classes: set[str] = set()
            for entry in entries:
                self._times.append(entry.seconds)
                self._rows.append(_rows(entry.detections))
                classes.update(entry.detections.class_name)
            names = profile_names(self._pipeline)
            self._names = names + sorted(classes - set(names))
