"""Stereo matching and triangulation: two pixel positions → X, Y, Z in metres, with quality.

Pixels are undistorted to normalised image coordinates first (``cv2.undistortPoints``
through each camera's full distortion vector), so lens distortion never bends the epipolar
lines or the rays. A pair passes the epipolar check when the right point lies within
``max_epipolar_px`` of the left point's epipolar line (distance measured in the right
camera's pixels). ``cv2.triangulatePoints`` with ``P_left = [I | 0]`` and
``P_right = [R | T]`` then gives the point in the left camera's frame (X right, Y down,
Z forward, metres). Quality is the mean reprojection error (pixels, both views) mapped to
0–1 by ``1 / (1 + error)``.

Example:
    >>> rig = StereoGeometry(read_calibration(Path("session/calibration")))  # doctest: +SKIP
    >>> point = rig.triangulate((674.2, 296.0), (390.5, 301.2))  # doctest: +SKIP
    >>> point.xyz_m, point.reprojection_px  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from framewise.record.calibration import StereoCalibration

FloatArray = NDArray[np.float64]
Pixel = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Triangulated:
    """One 3-D point from a matched pair.

    Attributes:
        xyz_m: ``(X, Y, Z)`` in metres, left camera frame.
        epipolar_px: Distance of the right point from the left point's epipolar line.
        reprojection_px: Mean reprojection error over both views.
        quality: ``1 / (1 + reprojection_px)``: 1 is perfect.
    """

    xyz_m: tuple[float, float, float]
    epipolar_px: float
    reprojection_px: float
    quality: float


def _skew(v: FloatArray) -> FloatArray:
    return np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]], np.float64)


class StereoGeometry:
    """A calibrated pair, ready to check and triangulate matches.

    Args:
        calibration: Intrinsics of both cameras and the right one's pose.
    """

    def __init__(self, calibration: StereoCalibration) -> None:
        self.calibration = calibration
        self.left = calibration.left
        self.right = calibration.right
        self._p_left = np.hstack([np.eye(3), np.zeros((3, 1))])
        self._p_right = np.hstack([calibration.rotation, calibration.translation.reshape(3, 1)])
        # Essential matrix in normalised coordinates: x_r^T E x_l = 0.
        self._essential = _skew(calibration.translation) @ calibration.rotation
        self._rvec_right, _ = cv2.Rodrigues(calibration.rotation)

    def _normalised(self, pixel: Pixel, right: bool) -> FloatArray:
        camera = self.right if right else self.left
        point = np.array([[pixel]], np.float64)
        undistorted = cv2.undistortPoints(point, camera.matrix, camera.distortion)
        return np.asarray(undistorted, np.float64).reshape(2)

    def epipolar_px(self, left: Pixel, right: Pixel) -> float:
        """Distance (right-camera pixels) of ``right`` from ``left``'s epipolar line."""
        xl = np.append(self._normalised(left, False), 1.0)
        xr = np.append(self._normalised(right, True), 1.0)
        line = self._essential @ xl
        distance = abs(float(xr @ line)) / max(1e-12, float(np.hypot(line[0], line[1])))
        return distance * float(self.right.matrix[0, 0])

    def triangulate(self, left: Pixel, right: Pixel) -> Triangulated:
        """The 3-D point seen at ``left`` and ``right`` (distorted pixel positions)."""
        nl = self._normalised(left, False).reshape(2, 1)
        nr = self._normalised(right, True).reshape(2, 1)
        homogeneous = cv2.triangulatePoints(self._p_left, self._p_right, nl, nr).reshape(4)
        xyz = homogeneous[:3] / homogeneous[3]
        reprojection = self._reprojection(xyz, left, right)
        return Triangulated(
            (float(xyz[0]), float(xyz[1]), float(xyz[2])),
            self.epipolar_px(left, right),
            reprojection,
            1.0 / (1.0 + reprojection),
        )

    def _reprojection(self, xyz: FloatArray, left: Pixel, right: Pixel) -> float:
        point = xyz.reshape(1, 1, 3)
        zero = np.zeros(3)
        pl, _ = cv2.projectPoints(point, zero, zero, self.left.matrix, self.left.distortion)
        pr, _ = cv2.projectPoints(
            point,
            self._rvec_right,
            self.calibration.translation,
            self.right.matrix,
            self.right.distortion,
        )
        el = float(np.hypot(*(np.asarray(pl).reshape(2) - np.asarray(left))))
        er = float(np.hypot(*(np.asarray(pr).reshape(2) - np.asarray(right))))
        return (el + er) / 2.0
