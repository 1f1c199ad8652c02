"""Hand features: where each hand is and how far it is from the nearest object.

The hands stage adds ``left_hand`` / ``right_hand`` rows (the person's own sides) with
MediaPipe's normalised landmarks in ``data["hand_landmarks"]`` (N×21×3). A hand's position
is the mean of its 21 landmarks; without a hand box the pose's wrist stands in (a pose-only
run still has hand positions). Objects are every other box that is not a person or a hand
(e.g. a ``yolo_onnx`` stage's tools); a distance is between the hand and the nearest
object's box centre, in frame-normalised units.

Example:
    >>> from framewise.core.detections import Detections
    >>> import numpy as np
    >>> nearest_object_distance((0.5, 0.5), [(0.5, 0.9), (0.8, 0.5)])
    0.3
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from framewise.core.detections import Detections
from framewise.features.pose import PERSON, wrist

SIDES = ("left", "right")
HAND_CLASSES = {"left": "left_hand", "right": "right_hand"}
NOT_OBJECTS = frozenset({PERSON, *HAND_CLASSES.values()})


def hand_row(detections: Detections, side: str) -> int | None:
    """The row of the most confident ``side`` hand box that has landmarks, or ``None``."""
    values = detections.data.get("hand_landmarks")
    if values is None:
        return None
    rows = [
        i
        for i, name in enumerate(detections.class_name)
        if name == HAND_CLASSES[side] and not np.isnan(values[i]).all()
    ]
    return max(rows, key=lambda i: float(detections.confidence[i])) if rows else None


def hand_landmarks(detections: Detections, side: str) -> NDArray[np.float32] | None:
    """The ``side`` hand's 21×3 normalised landmarks (x, y, z), or ``None``."""
    row = hand_row(detections, side)
    if row is None:
        return None
    return np.asarray(detections.data["hand_landmarks"][row], np.float32)


def hand_position(
    detections: Detections, side: str, width: int, height: int
) -> tuple[float, float] | None:
    """The ``side`` hand in frame-normalised coordinates: its landmarks' mean, else the wrist."""
    landmarks = hand_landmarks(detections, side)
    if landmarks is not None:
        x, y = landmarks[:, :2].mean(axis=0)
        return float(x), float(y)
    return wrist(detections, side, width, height)


def object_centres(detections: Detections, width: int, height: int) -> list[tuple[float, float]]:
    """Frame-normalised centres of the boxes that are neither people nor hands."""
    centres = []
    for i, name in enumerate(detections.class_name):
        if name not in NOT_OBJECTS:
            x1, y1, x2, y2 = (float(v) for v in detections.xyxy[i])
            centres.append(((x1 + x2) / 2 / width, (y1 + y2) / 2 / height))
    return centres


def nearest_object_distance(
    hand: tuple[float, float] | None, objects: Sequence[tuple[float, float]]
) -> float | None:
    """Distance from ``hand`` to the nearest of ``objects``; ``None`` if either is missing."""
    if hand is None or not objects:
        return None
    return round(min(math.dist(hand, centre) for centre in objects), 9)
