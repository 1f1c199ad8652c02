"""Per-frame task features from real Detections: angles, presence, PTS speeds, distances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from framewise.core.detections import Detections
from framewise.features.pose import LEFT_ELBOW, LEFT_SHOULDER, LEFT_WRIST
from framewise.features.task import NUMERIC_FEATURES, PRESENCE_FLAGS, TaskFeatures

W, H = 640, 480


def person(points: dict[int, tuple[float, float]]) -> Detections:
    """One person whose landmarks sit at the frame centre except those given (pixels)."""
    keypoints = np.zeros((1, 33, 3), np.float32)
    keypoints[0, :, :2] = (W / 2, H / 2)
    keypoints[0, :, 2] = 0.9
    for index, (x, y) in points.items():
        keypoints[0, index, :2] = (x, y)
    landmarks = np.zeros((1, 33, 4), np.float32)
    landmarks[0, :, 0] = keypoints[0, :, 0] / W
    landmarks[0, :, 1] = keypoints[0, :, 1] / H
    landmarks[0, :, 3] = 0.9
    return Detections(
        np.array([[0, 0, W, H]], np.float32),
        np.array([0.9], np.float32),
        ["person"],
        keypoints=keypoints,
        data={"pose_landmarks": landmarks},
    )


def hand(side: str, x: float, y: float) -> Detections:
    """A hand whose 21 landmarks all sit at normalised (x, y)."""
    values = np.zeros((1, 21, 3), np.float32)
    values[0, :, 0], values[0, :, 1] = x, y
    box = np.array([[x * W - 5, y * H - 5, x * W + 5, y * H + 5]], np.float32)
    return Detections(
        box, np.array([0.8], np.float32), [f"{side}_hand"], data={"hand_landmarks": values}
    )


def cup(x1: float, y1: float, x2: float, y2: float) -> Detections:
    return Detections(
        np.array([[x1, y1, x2, y2]], np.float32), np.array([0.7], np.float32), ["cup"]
    )


def test_no_person_gives_nulls_and_flags_never_zeros() -> None:
    row = TaskFeatures().update(0.0, Detections.empty(), W, H)
    assert all(row.values[name] is None for name in NUMERIC_FEATURES)
    assert not any(row.presence[name] for name in PRESENCE_FLAGS)
    assert row.pose is None and not row.hands and not row.objects
    vector = row.vector()
    assert np.isnan(vector[: len(NUMERIC_FEATURES)]).all()
    assert vector[len(NUMERIC_FEATURES) :].tolist() == [0.0] * len(PRESENCE_FLAGS)


def test_elbow_angle_is_measured_in_pixels() -> None:
    # Shoulder above the elbow, wrist to its right: a right angle on screen.
    points = {LEFT_SHOULDER: (100.0, 100.0), LEFT_ELBOW: (100.0, 200.0), LEFT_WRIST: (250.0, 200.0)}
    row = TaskFeatures().update(0.0, person(points), W, H)
    assert row.values["left_elbow_angle"] == pytest.approx(90.0)
    assert row.presence["pose_present"] and not row.presence["left_hand_present"]
    # Without a hand box the wrist gives the hand's position, frame-normalised.
    assert row.values["left_hand_x"] == pytest.approx(250 / W)
    assert row.values["left_hand_y"] == pytest.approx(200 / H)
    assert row.pose is not None and row.pose.shape == (33, 4)


def test_hand_speed_is_per_second_of_presentation_time() -> None:
    features = TaskFeatures()
    first = features.update(1.0, hand("right", 0.1, 0.5), W, H)
    assert first.values["right_hand_speed"] is None  # nothing to compare with yet
    # Variable frame rate: 0.25 s later, then 0.05 s later; the same distance each time.
    second = features.update(1.25, hand("right", 0.2, 0.5), W, H)
    third = features.update(1.30, hand("right", 0.3, 0.5), W, H)
    assert second.values["right_hand_speed"] == pytest.approx(0.1 / 0.25, rel=1e-5)
    assert third.values["right_hand_speed"] == pytest.approx(0.1 / 0.05, rel=1e-5)
    assert third.presence["right_hand_present"] and third.hands["right"].shape == (21, 3)
    assert third.values["left_hand_speed"] is None


def test_a_hand_lost_for_a_frame_has_no_speed_after_it() -> None:
    features = TaskFeatures()
    features.update(0.0, hand("left", 0.1, 0.1), W, H)
    gone = features.update(0.1, Detections.empty(), W, H)
    back = features.update(0.2, hand("left", 0.5, 0.5), W, H)
    assert gone.values["left_hand_speed"] is None and back.values["left_hand_speed"] is None


def test_hand_to_nearest_object_distance_is_frame_normalised() -> None:
    both = Detections.merge(hand("right", 0.25, 0.5), cup(300, 220, 340, 260), cup(600, 0, 640, 40))
    row = TaskFeatures().update(0.0, both, W, H)
    # The first cup's centre is (320, 240) → (0.5, 0.5); the hand is at (0.25, 0.5).
    assert row.values["right_hand_obj_dist"] == pytest.approx(0.25)
    assert row.values["left_hand_obj_dist"] is None  # no left hand
    assert [o.class_name for o in row.objects] == ["cup", "cup"]
    assert math.isclose(row.objects[0].xyxy[0], 300.0)
