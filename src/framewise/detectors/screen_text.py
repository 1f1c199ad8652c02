"""Text on screen: RapidOCR's bundled detector and recogniser on whole frames, read only on change.

The ``text`` profile samples a few frames a second. Each is compared with the last frame that
was read (96×54 grey thumbnails): when no more than ``reread_on_change`` of the pixels moved by
over :data:`CHANGED` levels, the last reading is kept — subtitles stay up for seconds — and only the
frames whose picture changed are read again. Each line of text becomes a ``text`` box with its
recognised string and score, and the frame carries ``text_read`` (1 when it was read, 0 when a
reading was kept) so a run can say how many frames it read.

:class:`~framewise.temporal.text.TextSpans` turns the lines into ``text_shown`` records.

Example:
    >>> stage = ScreenTextStage(ScreenTextConfig(kind="screen_text"))  # doctest: +SKIP
    >>> out = stage.detect(batch, [FrameOutput.empty() for _ in batch])  # doctest: +SKIP
    >>> out[0].detections.text  # doctest: +SKIP
    ('I'm going grocery shopping. You want some milk?',)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from framewise.config.detectors import ScreenTextConfig, detector_name
from framewise.core.detections import Detections
from framewise.core.errors import ModelError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import refuse_unknown_thresholds

THUMB = (96, 54)
"""The size frames are compared at (a subtitle line changes a few percent of it)."""

CHANGED = 16.0
"""Grey levels a thumbnail pixel must move by to count as changed (not compression noise)."""

READ = "text_read"
"""Frame feature: 1 when the frame was read, 0 when the last reading was kept."""


def _engine(config: ScreenTextConfig) -> Any:
    try:
        from rapidocr import RapidOCR
    except ImportError:
        raise ModelError(
            "RapidOCR is not installed",
            subject="screen_text",
            hint="install framewise with the detect extra: pip install 'framewise[detect]'",
        ) from None
    return RapidOCR(
        params={
            "Global.log_level": "error",
            "Det.limit_side_len": config.det_limit_side,
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        }
    )


class ScreenTextStage:
    """The ``screen_text`` stage (see the module)."""

    class_names: tuple[str, ...] = ("text",)

    def __init__(self, config: ScreenTextConfig) -> None:
        self.name = detector_name(config)
        self.config = config
        self.engine = _engine(config)
        self.reads = 0
        self.kept = 0
        self._thumb: np.ndarray | None = None
        self._last: Detections = Detections.empty()
        self._source = ""

    def read(self, image: np.ndarray) -> Detections:
        """Every line of text in ``image`` (BGR) as ``text`` boxes, top to bottom."""
        result = self.engine(image, use_det=True, use_cls=False, use_rec=True)
        boxes = result.boxes if result.boxes is not None else np.zeros((0, 4, 2))
        rows = []
        for box, text, score in zip(boxes, result.txts or (), result.scores or (), strict=True):
            if float(score) < self.config.min_text_confidence or not str(text).strip():
                continue
            quad = np.asarray(box, np.float32)
            rows.append((*quad.min(axis=0), *quad.max(axis=0), float(score), str(text).strip()))
        rows.sort(key=lambda r: (r[1], r[0]))
        if not rows:
            return Detections.empty()
        xyxy = np.array([r[:4] for r in rows], np.float32)
        scores = np.array([r[4] for r in rows], np.float32)
        return Detections(xyxy, scores, ("text",) * len(rows), text=[r[5] for r in rows])

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add each frame's lines of text, read again only where the picture changed."""
        outputs = []
        for frame, result in zip(batch, results, strict=True):
            grey = cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY)
            thumb = cv2.resize(grey, THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)
            same = (
                self._thumb is not None
                and frame.source_id == self._source
                and float((np.abs(thumb - self._thumb) > CHANGED).mean())
                <= self.config.reread_on_change
            )
            if not same:
                self._last = self.read(frame.image)
                self._thumb, self._source = thumb, frame.source_id
                self.reads += 1
            else:
                self.kept += 1
            merged = Detections.merge(result.detections, self._last)
            outputs.append(result.with_detections(merged).with_features({READ: float(not same)}))
        return outputs

    def thresholds(self) -> Mapping[str, float]:
        """``min_text_confidence``: lines scored below it are dropped (tunable live)."""
        return {"min_text_confidence": self.config.min_text_confidence}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Change ``min_text_confidence`` from the next read on."""
        refuse_unknown_thresholds(self.name, values, self.thresholds())
        if "min_text_confidence" in values:
            update = {"min_text_confidence": float(values["min_text_confidence"])}
            self.config = self.config.model_copy(update=update)

    def close(self) -> None:
        """Drop the engine."""
        self.engine = None
