"""A classical ball detector: running-average background, foreground blobs, circle fit.

Per frame: the grey picture's difference from a running-average background is thresholded,
limited to the ROI polygons, and split into connected blobs; a blob the size of a ball
becomes a candidate with a sub-pixel centre (the centroid weighted by the difference),
a radius (from its narrower side, since motion blur stretches a ball along its path) and a
confidence (contrast times roundness). The background learns only where nothing moved, so
a ball that crosses slowly is not absorbed. One detector holds one camera's background.

Example:
    >>> detector = BallDetector(BallConfig(kind="ball", roi=[[(0, 0), (640, 0), (640, 360)]]))
    >>> balls = detector.find(frame.image)  # doctest: +SKIP
    >>> balls[0].u, balls[0].v, balls[0].radius_px, balls[0].confidence  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from framewise.config.detectors import BallConfig, detector_name
from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.core.frames import Frame, Image
from framewise.core.results import FrameOutput
from framewise.detectors.base import refuse_unknown_thresholds

WARMUP_FRAMES = 3
"""Frames that only build the background (a background of one frame is all noise)."""


@dataclass(frozen=True, slots=True)
class Ball:
    """One ball candidate: centre ``(u, v)`` and ``radius_px`` in source pixels, a 0–1 score."""

    u: float
    v: float
    radius_px: float
    confidence: float


def roi_mask(
    polygons: Sequence[Sequence[tuple[float, float]]], width: int, height: int
) -> NDArray[np.uint8] | None:
    """255 inside any polygon, 0 elsewhere; ``None`` when there are no polygons."""
    if not polygons:
        return None
    mask = np.zeros((height, width), np.uint8)
    for polygon in polygons:
        points = np.round(np.asarray(polygon, np.float64)).astype(np.int32).reshape(-1, 1, 2)
        cv2.fillPoly(mask, [points], 255)
    return mask


class BallDetector:
    """One camera's ball detector (stateful: it keeps that camera's background).

    Args:
        config: The ``ball`` stage settings.
    """

    def __init__(self, config: BallConfig) -> None:
        if config.min_radius_px >= config.max_radius_px:
            raise ConfigError(
                "min_radius_px must be below max_radius_px",
                subject=detector_name(config),
                hint="e.g. min_radius_px: 1, max_radius_px: 60",
            )
        self.config = config
        self.threshold = config.threshold
        self._background: NDArray[np.float32] | None = None
        self._mask: NDArray[np.uint8] | None = None
        self._frame_shape: tuple[int, ...] = ()
        self._window = (0, 0, 0, 0)  # x0, y0, x1, y1: the ROI's bounding box
        self._seen = 0

    def _start(self, image: Image) -> None:
        """Fit the ROI to a new picture size: only its bounding box is ever looked at."""
        height, width = image.shape[:2]
        mask = roi_mask(self.config.roi, width, height)
        if mask is None:
            self._window = (0, 0, width, height)
        else:
            x, y, w, h = cv2.boundingRect(mask)
            self._window = (x, y, x + max(w, 1), y + max(h, 1))
        x0, y0, x1, y1 = self._window
        self._mask = None if mask is None else np.ascontiguousarray(mask[y0:y1, x0:x1])
        self._frame_shape = image.shape

    def find(self, image: Image) -> list[Ball]:
        """The balls in ``image`` (BGR), most confident first; updates the background."""
        if image.shape != self._frame_shape:
            self._start(image)
            self._background = None
        x0, y0, x1, y1 = self._window
        # A lane is a fraction of the picture: working in its box alone is most of the speed.
        gray = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
        if self._background is None:
            self._background = gray.astype(np.float32)
            self._seen = 1
            return []
        difference = np.asarray(cv2.absdiff(gray, cv2.convertScaleAbs(self._background)), np.uint8)
        foreground = (difference > self.config.difference).astype(np.uint8) * 255
        still = cv2.bitwise_not(cv2.dilate(foreground, np.ones((5, 5), np.uint8)))
        cv2.accumulateWeighted(gray, self._background, self.config.background_alpha, mask=still)
        self._seen += 1
        if self._seen <= WARMUP_FRAMES:
            return []
        if self._mask is not None:
            foreground = np.asarray(cv2.bitwise_and(foreground, self._mask), np.uint8)
        if not cv2.countNonZero(foreground):
            # Nothing moved (most frames): labelling an empty picture was 60 % of a frame's time.
            return []
        return [
            Ball(b.u + x0, b.v + y0, b.radius_px, b.confidence)
            for b in self._blobs(foreground, difference)
        ]

    def _blobs(self, foreground: NDArray[np.uint8], difference: NDArray[np.uint8]) -> list[Ball]:
        count, _, stats, _ = cv2.connectedComponentsWithStats(foreground, connectivity=8)
        min_r, max_r = self.config.min_radius_px, self.config.max_radius_px
        min_area = max(2.0, 0.5 * math.pi * min_r**2)
        max_area = 3.0 * math.pi * max_r**2  # a blurred ball covers more than its disc
        found: list[Ball] = []
        for label in range(1, count):
            x, y, w, h, area = (int(v) for v in stats[label])
            if not min_area <= area <= max_area:
                continue
            radius = min(w, h) / 2.0
            if not min_r <= radius <= max_r:
                continue
            patch = difference[y : y + h, x : x + w].astype(np.float64)
            weights = patch * (foreground[y : y + h, x : x + w] > 0)
            total = float(weights.sum())
            if total <= 0:
                continue
            ys, xs = np.mgrid[0:h, 0:w]
            u = x + float((weights * xs).sum()) / total
            v = y + float((weights * ys).sum()) / total
            # Roundness: how much of its bounding circle the blob fills (1 for a disc);
            # contrast: mean difference against twice the threshold.
            roundness = min(1.0, area / (math.pi * (max(w, h) / 2.0) ** 2))
            contrast = min(1.0, total / area / (2.0 * self.config.difference))
            confidence = float(math.sqrt(roundness) * contrast)
            if confidence >= self.threshold:
                found.append(Ball(u, v, max(radius, min_r), confidence))
        found.sort(key=lambda ball: -ball.confidence)
        return found[: self.config.max_balls]

    def reset(self) -> None:
        """Forget the background (a new scene or a moved camera)."""
        self._background = None


def as_detections(balls: Sequence[Ball]) -> Detections:
    """Balls as ``ball`` boxes, with ``u``, ``v`` and ``radius_px`` in ``data``."""
    if not balls:
        return Detections.empty()
    u = np.array([b.u for b in balls], np.float32)
    v = np.array([b.v for b in balls], np.float32)
    r = np.array([b.radius_px for b in balls], np.float32)
    xyxy = np.stack([u - r, v - r, u + r, v + r], axis=1).astype(np.float32)
    scores = np.array([b.confidence for b in balls], np.float32)
    return Detections(xyxy, scores, ("ball",) * len(balls), data={"u": u, "v": v, "radius_px": r})


class BallStage:
    """The ``ball`` kind as a pipeline stage (one source, so one background)."""

    class_names = ("ball",)

    def __init__(self, config: BallConfig) -> None:
        self.name = detector_name(config)
        self.detector = BallDetector(config)

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add each frame's balls after the boxes found so far."""
        out = []
        for frame, result in zip(batch, results, strict=True):
            found = as_detections(self.detector.find(frame.image))
            out.append(result.with_detections(Detections.merge(result.detections, found)))
        return out

    def thresholds(self) -> Mapping[str, float]:
        """The confidence a ball needs."""
        return {"threshold": self.detector.threshold}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Change ``threshold`` (0–1) from the next frame."""
        refuse_unknown_thresholds(self.name, values, self.thresholds())
        value = float(values.get("threshold", self.detector.threshold))
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"threshold must be in [0, 1], got {value}", subject=self.name)
        self.detector.threshold = value

    def close(self) -> None:
        """Nothing to release."""
