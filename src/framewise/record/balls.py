"""Ball finders for the recorder: one per camera, built from the config's ``detector:``.

Two kinds, registered in :data:`FINDERS`:

- ``ball``: the classical detector (:class:`~framewise.detectors.ball.BallDetector`),
  background subtraction and a circle fit, gated by the camera's lane polygon.
- ``yolo_onnx``: the pipeline's ``yolo_onnx`` stage (a trained ball class, e.g.
  ``{kind: yolo_onnx, model: ball.onnx, classes: [ball]}``). Each box becomes a ball at the
  box's centre with half its smaller side as ``radius_px`` (motion blur stretches a box along
  the flight, not across it) and the box's score as ``confidence``; a box whose centre lies
  outside every gate polygon is dropped, as the classical detector drops blobs there.

Example:
    >>> finder = make_finder(BallConfig(kind="ball"), gates=[])
    >>> finder.find(frame)  # doctest: +SKIP
    [Ball(u=640.2, v=301.5, radius_px=4.0, confidence=0.91)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import cv2
import numpy as np

from framewise.config.detectors import BallConfig, YoloOnnxConfig
from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.detectors.ball import Ball, BallDetector
from framewise.detectors.stages import YoloStage, yolo_stage

Polygon = Sequence[tuple[float, float]]
BallDetectorConfig = BallConfig | YoloOnnxConfig


class BallFinder(Protocol):
    """What the recorder asks of a camera's detector."""

    def find(self, frame: Frame) -> list[Ball]:
        """The balls in ``frame``, most confident first."""
        ...

    def close(self) -> None:
        """Release what the finder holds."""
        ...


class ClassicalFinder:
    """The ``ball`` kind: one camera's background-subtraction detector.

    Args:
        config: The ``ball`` settings.
        gates: The camera's polygons (replace the config's own ``roi`` when given).
    """

    def __init__(self, config: BallConfig, gates: Sequence[Polygon]) -> None:
        roi = [list(p) for p in gates] if gates else list(config.roi)
        self.detector = BallDetector(config.model_copy(update={"roi": roi}))

    def find(self, frame: Frame) -> list[Ball]:
        """The balls in ``frame`` (updates the camera's background)."""
        return self.detector.find(frame.image)

    def close(self) -> None:
        """Nothing to release."""


class YoloFinder:
    """The ``yolo_onnx`` kind: a trained model's boxes as balls (see the module docstring).

    Args:
        config: The ``yolo_onnx`` stage settings (``classes`` names the ball class).
        gates: The camera's polygons; a box counts only with its centre inside one.
    """

    def __init__(self, config: YoloOnnxConfig, gates: Sequence[Polygon]) -> None:
        self.stage: YoloStage = yolo_stage(config)
        self.gates = [np.asarray(p, np.float32).reshape(-1, 1, 2) for p in gates]

    def find(self, frame: Frame) -> list[Ball]:
        """The boxes the model finds in ``frame``, as balls inside the gates, best first."""
        found = self.stage.detector.detect([frame])[0]
        return [b for b in boxes_to_balls(found) if self._inside(b)]

    def _inside(self, ball: Ball) -> bool:
        if not self.gates:
            return True
        point = (float(ball.u), float(ball.v))
        return any(cv2.pointPolygonTest(gate, point, False) >= 0 for gate in self.gates)

    def close(self) -> None:
        """Release the ONNX Runtime session."""
        self.stage.close()


def boxes_to_balls(detections: Detections) -> list[Ball]:
    """Each box as a ball: centre, half the smaller side, its score; best score first."""
    balls = [
        Ball(
            u=float(x1 + x2) / 2,
            v=float(y1 + y2) / 2,
            radius_px=float(min(x2 - x1, y2 - y1)) / 2,
            confidence=float(score),
        )
        for (x1, y1, x2, y2), score in zip(
            detections.xyxy.tolist(), detections.confidence.tolist(), strict=True
        )
    ]
    return sorted(balls, key=lambda b: -b.confidence)


def _classical(config: BallDetectorConfig, gates: Sequence[Polygon]) -> BallFinder:
    assert isinstance(config, BallConfig)  # the registry's key is the config's kind
    return ClassicalFinder(config, gates)


def _yolo(config: BallDetectorConfig, gates: Sequence[Polygon]) -> BallFinder:
    assert isinstance(config, YoloOnnxConfig)
    return YoloFinder(config, gates)


FINDERS: dict[str, Callable[[BallDetectorConfig, Sequence[Polygon]], BallFinder]] = {
    "ball": _classical,
    "yolo_onnx": _yolo,
}
"""Detector kind → the finder built for each camera."""


def make_finder(config: BallDetectorConfig, gates: Sequence[Polygon]) -> BallFinder:
    """The finder of ``config``'s kind for one camera gated by ``gates``."""
    return FINDERS[config.kind](config, gates)
