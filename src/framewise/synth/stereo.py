"""A synthetic stereo rig with exact geometry: cameras, ball flights and their ground truth.

Coordinates are the left camera's (OpenCV's convention: X right, Y down, Z forward), in
metres. The right camera stands ``baseline_m`` to the right and is toed in a little, so its
extrinsics are a real rotation plus a translation. A pitch is a ball thrown from
``release_z_m`` towards the cameras under gravity and quadratic air drag, integrated with
RK4 at 1 ms; it ends when the ball passes ``catch_z_m`` (it leaves the picture there).

Example:
    >>> rig = StereoRig.default()
    >>> round(rig.baseline_m, 3)
    0.8
    >>> flight = fly_pitch(PitchSpec(speed_mps=33.0, x_m=0.4, y_m=-0.8, target_y_m=0.2))
    >>> 0.4 < flight.duration < 0.8
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from framewise.record.calibration import Intrinsics, StereoCalibration

FloatArray = NDArray[np.float64]

GRAVITY = 9.81
"""m/s², along +Y (down) in the left camera's frame."""

BALL_RADIUS_M = 0.0366
"""A baseball's radius."""

DRAG_K = 0.5 * 1.2 * 0.35 * math.pi * BALL_RADIUS_M**2 / 0.145
"""Drag acceleration per speed² (1/m): ½ρ·C_d·A/m for a baseball (ρ 1.2, C_d 0.35, 145 g)."""


@dataclass(frozen=True)
class CameraModel:
    """One camera: intrinsics, the full distortion vector and its pose.

    Attributes:
        name: ``left`` or ``right``.
        matrix: 3×3 camera matrix (pixels).
        distortion: OpenCV's ``(k1, k2, p1, p2, k3)``.
        rotation: 3×3 rotation from the left camera's frame to this camera's.
        translation: Translation (metres) from the left camera's frame to this camera's.
        width: Picture width.
        height: Picture height.
    """

    name: str
    matrix: FloatArray
    distortion: FloatArray
    rotation: FloatArray
    translation: FloatArray
    width: int = 1280
    height: int = 720

    def project(self, points: FloatArray) -> FloatArray:
        """N×3 points (left frame, metres) → N×2 distorted pixel positions."""
        rvec, _ = cv2.Rodrigues(self.rotation)
        pixels, _ = cv2.projectPoints(
            np.asarray(points, np.float64).reshape(-1, 1, 3),
            rvec,
            self.translation.reshape(3, 1),
            self.matrix,
            self.distortion,
        )
        return np.asarray(pixels, np.float64).reshape(-1, 2)

    def depth(self, points: FloatArray) -> FloatArray:
        """Each point's Z in this camera's frame (metres)."""
        local = np.asarray(points, np.float64).reshape(-1, 3) @ self.rotation.T
        return np.asarray(local[:, 2] + self.translation[2], np.float64)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready description (the ground truth's ``rig.cameras``)."""
        return {
            "name": self.name,
            "width": self.width,
            "height": self.height,
            "camera_matrix": self.matrix.tolist(),
            "distortion": self.distortion.tolist(),
            "rotation": self.rotation.tolist(),
            "translation_m": self.translation.tolist(),
        }


def _yaw(degrees: float) -> FloatArray:
    """World → camera rotation of a camera turned left (towards -X) by ``degrees``."""
    a = math.radians(degrees)
    return np.array(
        [[math.cos(a), 0.0, math.sin(a)], [0.0, 1.0, 0.0], [-math.sin(a), 0.0, math.cos(a)]]
    )


@dataclass(frozen=True)
class StereoRig:
    """Two cameras; the left one defines the world frame.

    Attributes:
        left: The reference camera (identity pose).
        right: The second camera.
    """

    left: CameraModel
    right: CameraModel

    @property
    def baseline_m(self) -> float:
        """Distance between the two optical centres (metres)."""
        centre = -self.right.rotation.T @ self.right.translation
        return float(np.linalg.norm(centre))

    @property
    def cameras(self) -> tuple[CameraModel, CameraModel]:
        """Both cameras, left first."""
        return (self.left, self.right)

    @classmethod
    def default(
        cls, baseline_m: float = 0.8, toe_in_deg: float = 1.2, width: int = 1280, height: int = 720
    ) -> StereoRig:
        """A pitching-lane rig: ~49° wide lenses, mild barrel distortion, slightly toed in."""
        scale = width / 1280
        left = CameraModel(
            "left",
            np.array(
                [[1400.0 * scale, 0, 643.0 * scale], [0, 1402.0 * scale, 358.0 * scale], [0, 0, 1]]
            ),
            np.array([-0.08, 0.05, 0.0004, -0.0003, 0.0]),
            np.eye(3),
            np.zeros(3),
            width,
            height,
        )
        rotation = _yaw(toe_in_deg)
        centre = np.array([baseline_m, 0.0, 0.0])
        right = CameraModel(
            "right",
            np.array(
                [[1390.0 * scale, 0, 636.0 * scale], [0, 1391.0 * scale, 363.0 * scale], [0, 0, 1]]
            ),
            np.array([-0.07, 0.04, -0.0002, 0.0005, 0.0]),
            rotation,
            -rotation @ centre,
            width,
            height,
        )
        return cls(left, right)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready rig (the ground truth's ``rig``)."""
        return {
            "units": "metres; X right, Y down, Z forward from the left camera",
            "baseline_m": self.baseline_m,
            "cameras": [c.as_dict() for c in self.cameras],
        }


@dataclass(frozen=True)
class PitchSpec:
    """Where a pitch starts and where it is aimed.

    Attributes:
        speed_mps: Release speed.
        x_m: Release X (left camera frame).
        y_m: Release Y (negative is above the cameras).
        target_y_m: Y the ball should have at the catch plane without drag.
        target_x_m: X at the catch plane.
        release_z_m: Release distance from the cameras.
        catch_z_m: Where the flight ends (the ball leaves the lane).
    """

    speed_mps: float
    x_m: float
    y_m: float
    target_y_m: float
    target_x_m: float = 0.4
    release_z_m: float = 18.0
    catch_z_m: float = 2.5


@dataclass(frozen=True)
class Flight:
    """A ball's sampled path: ``times`` from release (s) and ``points`` (N×3 metres)."""

    times: FloatArray
    points: FloatArray = field(repr=False)

    @property
    def duration(self) -> float:
        """Seconds from release to the catch plane."""
        return float(self.times[-1])

    def at(self, seconds: float | FloatArray) -> FloatArray:
        """Position(s) at ``seconds`` from release (linear between 1 ms samples)."""
        t = np.atleast_1d(np.asarray(seconds, np.float64))
        return np.stack([np.interp(t, self.times, self.points[:, i]) for i in range(3)], axis=1)


def _acceleration(velocity: FloatArray) -> FloatArray:
    drag = -DRAG_K * float(np.linalg.norm(velocity)) * velocity
    return np.asarray(drag + np.array([0.0, GRAVITY, 0.0]), np.float64)


def fly_pitch(spec: PitchSpec, step: float = 0.001) -> Flight:
    """Integrate a pitch (RK4, gravity + quadratic drag) until it passes the catch plane."""
    travel = spec.release_z_m - spec.catch_z_m
    flight_time = travel / spec.speed_mps
    # Aim as if there were no drag: enough for a plausible path; drag makes it drop a bit more.
    vy = (spec.target_y_m - spec.y_m - 0.5 * GRAVITY * flight_time**2) / flight_time
    vx = (spec.target_x_m - spec.x_m) / flight_time
    position = np.array([spec.x_m, spec.y_m, spec.release_z_m])
    velocity = np.array([vx, vy, -spec.speed_mps])
    times, points = [0.0], [position.copy()]
    t = 0.0
    while position[2] > spec.catch_z_m and t < 10.0:
        # RK4 on (position, velocity); acceleration depends on velocity only.
        k1v = _acceleration(velocity)
        k2v = _acceleration(velocity + 0.5 * step * k1v)
        k3v = _acceleration(velocity + 0.5 * step * k2v)
        k4v = _acceleration(velocity + step * k3v)
        k1x, k2x = velocity, velocity + 0.5 * step * k1v
        k3x, k4x = velocity + 0.5 * step * k2v, velocity + step * k3v
        position = position + step / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
        velocity = velocity + step / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
        t += step
        times.append(t)
        points.append(position.copy())
    return Flight(np.asarray(times), np.asarray(points))


@dataclass(frozen=True)
class ScheduledPitch:
    """One pitch placed in the session: released at ``start`` seconds."""

    start: float
    flight: Flight

    @property
    def end(self) -> float:
        """Session time the ball leaves the lane."""
        return self.start + self.flight.duration


def schedule_pitches(
    count: int, seed: int, lead_in: float = 1.5, gap: tuple[float, float] = (1.5, 2.5)
) -> list[ScheduledPitch]:
    """``count`` seeded pitches separated by idle gaps (seconds), the first after ``lead_in``."""
    rng = np.random.default_rng(seed)
    out: list[ScheduledPitch] = []
    start = lead_in
    for _ in range(count):
        spec = PitchSpec(
            speed_mps=float(rng.uniform(28.0, 38.0)),
            x_m=float(rng.uniform(0.2, 0.6)),
            y_m=float(rng.uniform(-0.95, -0.7)),
            target_y_m=float(rng.uniform(-0.05, 0.35)),
            target_x_m=float(rng.uniform(0.25, 0.55)),
        )
        pitch = ScheduledPitch(start, fly_pitch(spec))
        out.append(pitch)
        start = pitch.end + float(rng.uniform(*gap))
    return out


def calibration_of(rig: dict[str, Any]) -> StereoCalibration:
    """The exact calibration of a rendered rig (its truth's ``rig``), for tests and benches."""
    cams = rig["cameras"]
    intrinsics = [
        Intrinsics(
            str(c["name"]), np.asarray(c["camera_matrix"], np.float64),
            np.asarray(c["distortion"], np.float64), int(c["width"]), int(c["height"]),
        )
        for c in cams
    ]  # fmt: skip
    right = cams[1]
    return StereoCalibration(
        intrinsics[0],
        intrinsics[1],
        np.asarray(right["rotation"], np.float64),
        np.asarray(right["translation_m"], np.float64),
    )
