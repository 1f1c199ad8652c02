"""Per-frame task features (workflow W2): one :class:`FrameFeatures` per frame, in time order.

:class:`TaskFeatures` turns a frame's detections (pose, hands and any objects) into the
numeric features a task classifier reads — joint angles, frame-normalised hand positions,
hand speeds **per second** from the frames' presentation times (right on variable frame rate
and on sampled reads), hand–nearest-object distances — plus presence flags. A feature
that cannot be measured (no person, no hand) is ``None``, never 0; a model reads it as NaN.
The same class feeds the Parquet table of ``framewise features extract`` and the live
classifier, so a model sees the same numbers in both.

Example:
    >>> from framewise.core.detections import Detections
    >>> features = TaskFeatures()
    >>> row = features.update(0.0, Detections.empty(), 640, 480)
    >>> row.presence["pose_present"], row.values["left_elbow_angle"]
    (False, None)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from framewise.core.detections import Detections
from framewise.features.hands import (
    NOT_OBJECTS,
    SIDES,
    hand_landmarks,
    hand_position,
    nearest_object_distance,
    object_centres,
)
from framewise.features.pose import ANGLES, person_row, pose_angles, pose_landmarks

SCHEMA_VERSION = "framewise.task_features/1"
"""Written into every feature table; a table of another version is refused by name."""

NUMERIC_FEATURES: tuple[str, ...] = (
    *ANGLES,
    *(f"{side}_hand_{axis}" for side in SIDES for axis in ("x", "y")),
    *(f"{side}_hand_speed" for side in SIDES),
    *(f"{side}_hand_obj_dist" for side in SIDES),
)
"""The numeric columns, in the order models read them."""

PRESENCE_FLAGS: tuple[str, ...] = ("pose_present", *(f"{side}_hand_present" for side in SIDES))
"""Boolean columns: was a person / each hand found in the frame."""

MODEL_FEATURES: tuple[str, ...] = (*NUMERIC_FEATURES, *PRESENCE_FLAGS)
"""What a model reads per frame: the numeric features, then the presence flags as 0/1."""

FEATURE_GROUPS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "pose": (*ANGLES, *(f"{s}_hand_{a}" for s in SIDES for a in ("x", "y", "speed"))),
        "objects": tuple(f"{side}_hand_obj_dist" for side in SIDES),
    }
)
"""Feature subsets of the ablation study (pose-only, objects-only; fused is all)."""


@dataclass(frozen=True)
class ObjectBox:
    """One object box of a frame (not a person or a hand), in source pixels."""

    class_name: str
    class_id: int
    confidence: float
    xyxy: tuple[float, float, float, float]


@dataclass(frozen=True)
class FrameFeatures:
    """What one frame says about the task being done.

    Attributes:
        seconds: The frame's presentation time.
        values: :data:`NUMERIC_FEATURES` → value (``None``: not measurable in this frame).
        presence: :data:`PRESENCE_FLAGS` → found.
        pose: The person's 33×4 normalised landmarks, or ``None``.
        hands: Side → 21×3 normalised landmarks (a side absent: no such hand).
        objects: The frame's object boxes.
    """

    seconds: float
    values: Mapping[str, float | None]
    presence: Mapping[str, bool]
    pose: NDArray[np.float32] | None = None
    hands: Mapping[str, NDArray[np.float32]] = field(default_factory=dict)
    objects: tuple[ObjectBox, ...] = ()

    def vector(self) -> NDArray[np.float32]:
        """:data:`MODEL_FEATURES` as numbers: NaN where ``None``, flags as 0 or 1."""
        numeric = [math.nan if self.values[n] is None else self.values[n] for n in NUMERIC_FEATURES]
        flags = [1.0 if self.presence[n] else 0.0 for n in PRESENCE_FLAGS]
        return np.array([*numeric, *flags], np.float32)


def _objects(detections: Detections) -> tuple[ObjectBox, ...]:
    ids = detections.class_id
    return tuple(
        ObjectBox(
            name,
            int(ids[i]) if ids is not None else -1,
            float(detections.confidence[i]),
            (
                float(detections.xyxy[i, 0]),
                float(detections.xyxy[i, 1]),
                float(detections.xyxy[i, 2]),
                float(detections.xyxy[i, 3]),
            ),
        )
        for i, name in enumerate(detections.class_name)
        if name not in NOT_OBJECTS
    )


class TaskFeatures:
    """Features of successive frames of one source (it remembers the last hand positions).

    Speeds compare a frame with the previous frame given to :meth:`update`, over the
    difference of their presentation times; a hand missing in either frame has no speed.
    """

    def __init__(self) -> None:
        self._last: dict[str, tuple[float, tuple[float, float]]] = {}
        self._last_seconds: float | None = None

    def update(
        self, seconds: float, detections: Detections, width: int, height: int
    ) -> FrameFeatures:
        """The features of the frame at ``seconds`` (its picture is ``width``×``height``)."""
        values: dict[str, float | None] = dict(pose_angles(detections))
        centres = object_centres(detections, width, height)
        previous = self._last_seconds
        last: dict[str, tuple[float, tuple[float, float]]] = {}
        hands: dict[str, NDArray[np.float32]] = {}
        for side in SIDES:
            position = hand_position(detections, side, width, height)
            values[f"{side}_hand_x"] = None if position is None else round(position[0], 9)
            values[f"{side}_hand_y"] = None if position is None else round(position[1], 9)
            values[f"{side}_hand_speed"] = None
            before = self._last.get(side)
            if position is not None:
                last[side] = (seconds, position)
                if before is not None and before[0] == previous and seconds > before[0]:
                    speed = math.dist(position, before[1]) / (seconds - before[0])
                    values[f"{side}_hand_speed"] = round(speed, 9)
            values[f"{side}_hand_obj_dist"] = nearest_object_distance(position, centres)
            landmarks = hand_landmarks(detections, side)
            if landmarks is not None:
                hands[side] = landmarks
        self._last = last
        self._last_seconds = seconds
        presence = {
            "pose_present": person_row(detections) is not None,
            **{f"{side}_hand_present": side in hands for side in SIDES},
        }
        return FrameFeatures(
            seconds,
            values,
            presence,
            pose_landmarks(detections),
            hands,
            _objects(detections),
        )
