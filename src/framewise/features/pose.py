"""Body features from a frame's person box: joint angles from MediaPipe Pose's 33 landmarks.

The pose stage puts one ``person`` row in the frame's detections with its landmarks in the
``keypoints`` column (source pixels, N×33×3: x, y, visibility) and MediaPipe's normalised
values in ``data["pose_landmarks"]`` (N×33×4). Angles are measured in pixels, so a joint on
a 16:9 frame has the angle it has on screen, not the one of the stretched unit square.

Example:
    >>> import numpy as np
    >>> joint_angle(np.array([1.0, 0.0]), np.array([0.0, 0.0]), np.array([0.0, 1.0]))
    90.0
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from framewise.core.detections import Detections

PERSON = "person"

# MediaPipe Pose landmark numbers (mediapipe.solutions.pose.PoseLandmark).
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_WRIST, RIGHT_WRIST = 15, 16
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28

ANGLES: Mapping[str, tuple[int, int, int]] = MappingProxyType(
    {
        "left_elbow_angle": (LEFT_SHOULDER, LEFT_ELBOW, LEFT_WRIST),
        "right_elbow_angle": (RIGHT_SHOULDER, RIGHT_ELBOW, RIGHT_WRIST),
        "left_shoulder_angle": (LEFT_ELBOW, LEFT_SHOULDER, LEFT_HIP),
        "right_shoulder_angle": (RIGHT_ELBOW, RIGHT_SHOULDER, RIGHT_HIP),
        "left_knee_angle": (LEFT_HIP, LEFT_KNEE, LEFT_ANKLE),
        "right_knee_angle": (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE),
    }
)
"""Angle name → (end, vertex, end) landmark numbers; the angle is at the vertex, in degrees."""

WRISTS: Mapping[str, int] = MappingProxyType({"left": LEFT_WRIST, "right": RIGHT_WRIST})
"""The person's side → its wrist landmark (the hand's position when no hand box was found)."""


def joint_angle(
    a: NDArray[np.floating], vertex: NDArray[np.floating], b: NDArray[np.floating]
) -> float:
    """The angle ``a``–``vertex``–``b`` in degrees (0–180); NaN when an arm has no length."""
    u, v = np.asarray(a, np.float64) - vertex, np.asarray(b, np.float64) - vertex
    norms = float(np.linalg.norm(u) * np.linalg.norm(v))
    if norms == 0.0:
        return float("nan")
    cosine = float(np.clip(np.dot(u, v) / norms, -1.0, 1.0))
    return round(float(np.degrees(np.arccos(cosine))), 6)


def person_row(detections: Detections) -> int | None:
    """The row of the most confident person with keypoints, or ``None``."""
    if detections.keypoints is None:
        return None
    rows = [i for i, name in enumerate(detections.class_name) if name == PERSON]
    if not rows:
        return None
    return max(rows, key=lambda i: float(detections.confidence[i]))


def pose_angles(detections: Detections) -> dict[str, float | None]:
    """Every angle of :data:`ANGLES` for the frame's person; all ``None`` without one."""
    row = person_row(detections)
    if row is None or detections.keypoints is None:
        return dict.fromkeys(ANGLES)
    points = detections.keypoints[row, :, :2]
    angles: dict[str, float | None] = {}
    for name, (a, vertex, b) in ANGLES.items():
        value = joint_angle(points[a], points[vertex], points[b])
        angles[name] = None if np.isnan(value) else value
    return angles


def pose_landmarks(detections: Detections) -> NDArray[np.float32] | None:
    """The person's 33×4 normalised landmarks (x, y, z, visibility), or ``None``."""
    row = person_row(detections)
    values = detections.data.get("pose_landmarks")
    if row is None or values is None:
        return None
    landmarks = np.asarray(values[row], np.float32)
    return None if np.isnan(landmarks).all() else landmarks


def wrist(detections: Detections, side: str, width: int, height: int) -> tuple[float, float] | None:
    """The person's ``side`` wrist in frame-normalised coordinates (0–1), or ``None``."""
    row = person_row(detections)
    if row is None or detections.keypoints is None:
        return None
    x, y = detections.keypoints[row, WRISTS[side], :2]
    return float(x) / width, float(y) / height
