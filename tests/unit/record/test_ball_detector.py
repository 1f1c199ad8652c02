"""The classical ball detector on painted frames: position, radius, ROI gate, settings."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from framewise.config.detectors import BallConfig
from framewise.core.errors import ConfigError
from framewise.detectors.ball import BallDetector, BallStage, as_detections


def _background(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = cv2.GaussianBlur(rng.integers(40, 160, (360, 640, 3), dtype=np.uint8), (0, 0), 3)
    return np.asarray(base, np.uint8)


def _noisy(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise = rng.normal(0, 2.0, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def _with_ball(image: np.ndarray, u: float, v: float, r: float) -> np.ndarray:
    out = image.copy()
    centre = (round(u * 16), round(v * 16))
    cv2.circle(out, centre, round(r * 16), (235, 235, 235), -1, cv2.LINE_AA, shift=4)
    return out


def _warm(detector: BallDetector, base: np.ndarray, rng: np.random.Generator) -> None:
    for _ in range(6):
        assert detector.find(_noisy(base, rng)) == []


def test_a_ball_is_found_at_its_centre_with_its_radius() -> None:
    rng = np.random.default_rng(1)
    base = _background()
    detector = BallDetector(BallConfig(kind="ball"))
    _warm(detector, base, rng)
    balls = detector.find(_noisy(_with_ball(base, 300.3, 150.7, 4.0), rng))
    assert len(balls) == 1
    assert abs(balls[0].u - 300.3) < 0.3
    assert abs(balls[0].v - 150.7) < 0.3
    assert 3.0 <= balls[0].radius_px <= 5.0
    assert balls[0].confidence > 0.6
    # Only noise after it: nothing.
    assert detector.find(_noisy(base, rng)) == []


def test_a_ball_outside_the_roi_is_ignored() -> None:
    rng = np.random.default_rng(2)
    base = _background(1)
    roi = [[(0.0, 0.0), (200.0, 0.0), (200.0, 360.0), (0.0, 360.0)]]
    detector = BallDetector(BallConfig(kind="ball", roi=roi))
    _warm(detector, base, rng)
    assert detector.find(_noisy(_with_ball(base, 400, 100, 5), rng)) == []
    inside = detector.find(_noisy(_with_ball(base, 100, 100, 5), rng))
    assert len(inside) == 1 and abs(inside[0].u - 100) < 0.5


def test_blobs_too_large_are_not_balls() -> None:
    rng = np.random.default_rng(3)
    base = _background(2)
    detector = BallDetector(BallConfig(kind="ball", max_radius_px=10))
    _warm(detector, base, rng)
    assert detector.find(_noisy(_with_ball(base, 300, 180, 40), rng)) == []


def test_the_stage_adds_ball_boxes_with_pixel_columns() -> None:
    detections = as_detections(BallDetector(BallConfig(kind="ball")).find(_background()))
    assert len(detections) == 0
    stage = BallStage(BallConfig(kind="ball", name="balls"))
    assert stage.thresholds() == {"threshold": 0.3}
    stage.set_thresholds({"threshold": 0.5})
    assert stage.detector.threshold == 0.5
    with pytest.raises(ConfigError):
        stage.set_thresholds({"iou": 0.5})


def test_min_radius_above_max_is_refused() -> None:
    with pytest.raises(ConfigError, match="min_radius_px"):
        BallDetector(BallConfig(kind="ball", min_radius_px=20, max_radius_px=10))
