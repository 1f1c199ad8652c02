"""Motion in a region of interest: OpenCV background subtraction (MOG2 or KNN), DVR-Scan's way.

Each frame is shrunk to ``width`` pixels and given to the subtractor; the foreground mask is
opened with a ``kernel``-sided square (specks of noise go) and cut to the region of interest
(polygons in source pixels; none: the whole frame). A frame's *score* is the share of the
region that moves (0–1); it *moves* when the score reaches ``threshold``.

Events follow DVR-Scan's rules, in seconds: motion must go on for ``min_event_seconds``
before an event starts; it starts ``pre_seconds`` before its first moving frame and ends
``post_seconds`` after its last, once that long passed without motion. The first
``learning_seconds`` only teach the background. The decisions are written on the frame they
are made on, as features (time offsets back from that frame; float32 is exact enough for
offsets of seconds):

- ``motion_score``, ``motion_moving``: the frame's own score and 0/1;
- ``motion_open_back``: an event opened here and starts this many seconds back (-1: none);
- ``motion_close_back``: the open event closed here and ended this many seconds back (-1).

:class:`~framewise.temporal.motion.MotionSpans` turns them into ``motion`` records.

Example:
    >>> spans = MotionRules(MotionConfig(kind="motion"))
    >>> spans.update(0.0, 0.0)["motion_open_back"]
    -1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from framewise.config.detectors import MotionConfig, detector_name
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import StreamWatch, refuse_unknown_thresholds
from framewise.detectors.scenes import shrink

NONE = -1.0
"""The value of a ``*_back`` feature that names nothing."""


class MotionRules:
    """Scores in time order → events by DVR-Scan's rules (pure; see the module)."""

    def __init__(self, config: MotionConfig) -> None:
        self.config = config
        self.first: float | None = None
        self._run_start: float | None = None
        self._open_start: float | None = None
        self._last_moving: float | None = None

    def update(self, seconds: float, score: float) -> dict[str, float]:
        """Feed one frame's score; the features it carries."""
        config = self.config
        if self.first is None:
            self.first = seconds
        learning = seconds - self.first < config.learning_seconds
        moving = not learning and score >= config.threshold
        out = {
            "motion_score": score,
            "motion_moving": float(moving),
            "motion_open_back": NONE,
            "motion_close_back": NONE,
        }
        if moving:
            self._last_moving = seconds
            if self._run_start is None:
                self._run_start = seconds
            if self._open_start is None and seconds - self._run_start >= config.min_event_seconds:
                self._open_start = max(self.first, self._run_start - config.pre_seconds)
                out["motion_open_back"] = seconds - self._open_start
        elif self._open_start is None:
            self._run_start = None  # a run too short to count
        if self._open_start is not None and self._last_moving is not None:
            end = self._last_moving + config.post_seconds
            if not moving and seconds >= end:
                out["motion_close_back"] = seconds - end
                self._open_start = self._run_start = self._last_moving = None
        return out


class MotionStage:
    """The ``motion`` stage: a background subtractor and :class:`MotionRules`."""

    class_names: tuple[str, ...] = ()

    def __init__(self, config: MotionConfig) -> None:
        self.name = detector_name(config)
        self.config = config
        self.rules = MotionRules(config)
        self.subtractor = self._subtractor()
        self._watch = StreamWatch()
        side = config.kernel
        self.kernel = None if side < 2 else np.ones((side, side), np.uint8)
        self._mask: np.ndarray | None = None
        self._scale = 1.0

    def score(self, image: np.ndarray) -> float:
        """The share of the region of interest that moves in ``image`` (BGR, source size)."""
        small = shrink(image, self.config.width)
        foreground = self.subtractor.apply(small)
        if self.kernel is not None:
            foreground = cv2.morphologyEx(foreground, cv2.MORPH_OPEN, self.kernel)
        # Source pixels per analysis pixel: the whole factor shrink used.
        region = self._region(small.shape[:2], image.shape[1] // small.shape[1])
        moving = cv2.countNonZero(cv2.bitwise_and(foreground, region))
        return moving / max(1, cv2.countNonZero(region))

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add each frame's motion features (frames must come in time order)."""
        outputs = []
        for frame, result in zip(batch, results, strict=True):
            if self._watch.restarted(frame):
                self.rules = MotionRules(self.config)
                self.subtractor = self._subtractor()
            score = self.score(frame.image)
            outputs.append(result.with_features(self.rules.update(frame.seconds, score)))
        return outputs

    def _subtractor(self) -> cv2.BackgroundSubtractor:
        if self.config.method == "mog2":
            return cv2.createBackgroundSubtractorMOG2(detectShadows=False)
        return cv2.createBackgroundSubtractorKNN(detectShadows=False)

    def thresholds(self) -> Mapping[str, float]:
        """``threshold``: the share of the region that must move (tunable live)."""
        return {"threshold": self.config.threshold}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Change ``threshold`` from the next frame on."""
        refuse_unknown_thresholds(self.name, values, self.thresholds())
        if "threshold" in values:
            self.config = self.config.model_copy(update={"threshold": float(values["threshold"])})
            self.rules.config = self.config

    def close(self) -> None:
        """Nothing to release."""
        self._mask = None

    def _region(self, shape: tuple[int, int], scale: float) -> np.ndarray:
        """The region of interest as a mask at analysis size (built once per size)."""
        if self._mask is not None and self._mask.shape == shape:
            return self._mask
        if not self.config.roi:
            mask = np.full(shape, 255, np.uint8)
        else:
            mask = np.zeros(shape, np.uint8)
            polygons = [
                np.round(np.asarray(polygon, np.float64) / scale).astype(np.int32)
                for polygon in self.config.roi
            ]
            cv2.fillPoly(mask, polygons, 255)
        self._mask = mask
        return mask
