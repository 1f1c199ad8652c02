"""The ``ocr`` stage: RapidOCR on full-resolution crops of boxes found by earlier detectors.

RapidOCR (PP-OCR models in ONNX, shipped inside its wheel) reads each crop. Classes whose boxes
are tight around one line skip text detection and run recognition only, which is several times
faster. Field parsers then turn the text into fields with their own confidences.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from framewise.config.detectors import OcrConfig
from framewise.core.detections import Detections, FloatArray
from framewise.core.errors import ModelError
from framewise.core.frames import Frame, Image
from framewise.detectors.fields import FieldParser

log = logging.getLogger(__name__)

SLOT_PIXELS = 16
"""Box corners within the same 16-pixel cell count as the same place (reuse of readings)."""

THUMB_SIZE = (64, 16)
"""Size of the grey thumbnail of a place whose change forces a fresh reading."""


def _thumbnail(image: Image, cells: tuple[int, int, int, int]) -> FloatArray:
    """Grey thumbnail of the whole cells a box covers: the same pixels for a jittering box."""
    x1, y1, x2, y2 = (c * SLOT_PIXELS for c in cells)
    region = image[y1 : y2 + SLOT_PIXELS, x1 : x2 + SLOT_PIXELS]
    if region.size == 0:
        return np.zeros(THUMB_SIZE[::-1], np.float32)
    grey = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, THUMB_SIZE, interpolation=cv2.INTER_AREA).astype(np.float32)


def _engine(config: OcrConfig, threads: int) -> Any:
    try:
        from rapidocr import RapidOCR
    except ImportError:
        raise ModelError(
            "RapidOCR is not installed",
            subject="ocr",
            hint="install framewise with the detect extra: pip install 'framewise[detect]'",
        ) from None
    params = {
        "Global.log_level": "error",
        "Det.limit_type": config.det_limit_type,
        "Det.limit_side_len": config.det_limit_side,
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
    }
    return RapidOCR(params=params)


@dataclass(frozen=True, slots=True)
class _Reading:
    """A reading of one place: when, what, how sure, and how the place looked."""

    seconds: float
    text: str
    score: float
    thumb: FloatArray


class OcrReader:
    """Reads the text in boxes of chosen classes and parses it into fields.

    Args:
        config: The stage's configuration (classes, recognition-only classes, parsers).
        threads: ONNX Runtime intra-op threads for the OCR models.

    Example:
        >>> config = OcrConfig(kind="ocr", classes=["kill_notification"])
        >>> reader = OcrReader(config)  # doctest: +SKIP
        >>> detections = reader.read(batch, detections)  # doctest: +SKIP
    """

    kind = "ocr"

    def __init__(self, config: OcrConfig, threads: int = 1) -> None:
        self.config = config
        self.classes = frozenset(config.classes)
        self.recognition_only = frozenset(config.recognition_only)
        self.parsers = {name: FieldParser(p) for name, p in config.parsers.items()}
        self.titles = {name: re.compile(p, re.IGNORECASE) for name, p in config.titles.items()}
        self._engine = _engine(config, threads)
        self._recent: dict[tuple[str, int, int, int, int], _Reading] = {}
        self._ids: dict[str, int] = {}
        """Class name → id, as the earlier stages number them (see :meth:`know_classes`)."""
        self._keep_seconds = max(10.0, config.title_reread_seconds)

    def read(self, batch: Sequence[Frame], detections: Sequence[Detections]) -> list[Detections]:
        """Fill in ``text`` and parsed ``fields`` for the boxes of the configured classes.

        Boxes of other classes pass through unchanged.
        """
        return [self._read_frame(f, d) for f, d in zip(batch, detections, strict=True)]

    def text(self, crop: Image, single_line: bool) -> tuple[str, float]:
        """Recognise ``crop``: lines top to bottom joined by spaces, and their mean score."""
        if single_line:
            result = self._engine(crop, use_det=False, use_cls=False, use_rec=True)
            lines = [
                (0.0, t, s) for t, s in zip(result.txts or (), result.scores or (), strict=True)
            ]
        else:
            # RapidOCR remembers use_det from the previous call: say it every time.
            result = self._engine(crop, use_det=True, use_cls=False, use_rec=True)
            boxes = result.boxes if result.boxes is not None else np.zeros((0, 4, 2))
            lines = sorted(
                (float(np.mean(box[:, 1])), t, s)
                for box, t, s in zip(boxes, result.txts or (), result.scores or (), strict=True)
            )
        kept = [(t, float(s)) for _, t, s in lines if s >= self.config.min_text_confidence and t]
        if not kept:
            return "", 0.0
        return " ".join(t for t, _ in kept), float(np.mean([s for _, s in kept]))

    def _cached_text(
        self, frame: Frame, name: str, box: FloatArray, crop: Image
    ) -> tuple[str, float]:
        """Read ``crop``, or reuse the reading of the same, unchanged place.

        A reading is reused within the same window of ``reread_seconds``
        (``title_reread_seconds`` for a class read only for its title; windows counted from
        the video's start) when the place (the 16-pixel cells the box covers) looks the same
        as when it was read.
        """
        x1, y1, x2, y2 = (max(0, int(v)) // SLOT_PIXELS for v in box)
        key = (name, x1, y1, x2, y2)
        thumb = _thumbnail(frame.image, (x1, y1, x2, y2))
        seconds = frame.seconds
        recent = self._recent.get(key)
        window = self._window(name)
        if (
            recent is not None
            and window > 0
            and recent.seconds <= seconds  # the same window, so less than ``window`` apart
            and math.floor(recent.seconds / window) == math.floor(seconds / window)
            and float(np.abs(recent.thumb - thumb).mean()) <= self.config.reread_on_change
        ):
            return recent.text, recent.score
        text, score = self.text(crop, name in self.recognition_only)
        keep = self._keep_seconds
        self._recent = {k: v for k, v in self._recent.items() if seconds - v.seconds < keep}
        self._recent[key] = _Reading(seconds, text, score, thumb)
        return text, score

    def _window(self, name: str) -> float:
        """How long a reading of a ``name`` box may be reused (0: never)."""
        if name in self.titles and name not in self.parsers:
            return self.config.title_reread_seconds
        return self.config.reread_seconds

    def know_classes(self, class_ids: Mapping[str, int]) -> None:
        """The earlier stages' class ids, for the boxes a title renames."""
        self._ids = dict(class_ids)

    def state_since(self, seconds: float) -> float:
        """The earliest time whose frames decide what this reader reads at ``seconds``.

        Readings are reused within fixed windows only, so that is the start of the longest
        window holding ``seconds``: a read started there (a shard's warm-up) reads the frames
        from ``seconds`` on exactly as an uninterrupted read does.
        """
        windows = {self.config.reread_seconds} | {self._window(n) for n in self.titles}
        return min([math.floor(seconds / w) * w for w in windows if w > 0] + [seconds])

    def titled(self, name: str, text: str) -> str:
        """The class of a ``name`` box reading ``text``: another's if only its title matches."""
        if name not in self.titles:
            return name
        matched = [other for other, title in self.titles.items() if title.search(text)]
        return matched[0] if len(matched) == 1 and matched[0] != name else name

    def _read_frame(self, frame: Frame, detections: Detections) -> Detections:
        if not any(name in self.classes for name in detections.class_name):
            return detections
        names = list(detections.class_name)
        ids = detections.class_id
        texts = list(detections.text)
        fields = [dict(f) for f in detections.fields]
        height, width = frame.image.shape[:2]
        pad = self.config.padding
        for i, name in enumerate(detections.class_name):
            if name not in self.classes:
                continue
            x1, y1, x2, y2 = detections.xyxy[i]
            crop = frame.image[
                max(0, int(y1) - pad) : min(height, int(np.ceil(y2)) + pad),
                max(0, int(x1) - pad) : min(width, int(np.ceil(x2)) + pad),
            ]
            if crop.size == 0:
                continue
            text, score = self._cached_text(frame, name, detections.xyxy[i], crop)
            names[i] = self.titled(name, text)
            texts[i] = text
            parser = self.parsers.get(names[i])
            if parser is not None:
                fields[i].update(parser.read(text, score))
        if names == list(detections.class_name):
            # replace keeps every other column (ids, masks, data) of the boxes as they came.
            return detections.replace(text=tuple(texts), fields=tuple(fields))
        log.debug("titles renamed %s to %s", detections.class_name, names)
        if ids is not None:  # a renamed box's id: -1 for a class no earlier stage finds
            ids = np.asarray(
                [
                    i if n == old else self._ids.get(n, -1)
                    for i, n, old in zip(ids.tolist(), names, detections.class_name, strict=True)
                ],
                dtype=ids.dtype,
            )
        return detections.replace(
            class_name=tuple(names), class_id=ids, text=tuple(texts), fields=tuple(fields)
        )

    def close(self) -> None:
        """Release the OCR engine."""
        self._engine = None
