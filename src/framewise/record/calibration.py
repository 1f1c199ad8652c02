"""Stereo calibration from a checkerboard recording, and the session's ``calibration/`` files.

Both cameras film the same board; frames are paired by time, the inner corners found
with OpenCV's sector-based detector (``findChessboardCornersSB``, sub-pixel accurate),
each camera calibrated on its own (``calibrateCamera``: camera matrix and the distortion
vector ``k1 k2 p1 p2 k3``; ``k3`` is held at 0 unless asked for, as it only fits noise with
lenses this mild), then the pair with the intrinsics held (``stereoCalibrate``: rotation and
translation of the right camera, whose length is the baseline). Calibration quality is
reported on its own — RMS reprojection error per camera and of the pair, and the baseline
against a measured one — because a 1-3 % baseline error dominates 3-D error at 20 m.

Files (the seed's names, in metres instead of feet, each with ``schema_version``):
``stereo_geometry.json``, ``intrinsics_{camera}.json``, and, when the recording config
has them, ``roi_annotations.json`` and ``strike_zone_definition.json``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError, InputError
from framewise.core.frames import Frame
from framewise.core.jsonfile import read_json
from framewise.sources.file import FileSource

FloatArray = NDArray[np.float64]
CALIBRATION_VERSION = 1
CALIBRATION_HINT = "run `framewise calibrate` to write the session's calibration folder"


@dataclass(frozen=True)
class Board:
    """A calibration board: inner corners per row (``columns``) and column (``rows``).

    ``charuco``: a ChArUco board of ``(columns + 1) × (rows + 1)`` squares with ArUco markers
    of ``marker_m`` from ``dictionary`` in its white squares; its corners are identified, so
    views that see only part of it count too.
    """

    columns: int = 9
    rows: int = 6
    square_m: float = 0.08
    charuco: bool = False
    marker_m: float = 0.06
    dictionary: str = "DICT_4X4_50"

    def charuco_board(self) -> cv2.aruco.CharucoBoard:
        """OpenCV's description of the ChArUco board.

        Raises:
            ConfigError: Unknown dictionary, or markers not smaller than the squares.
        """
        code = getattr(cv2.aruco, self.dictionary, None)
        if not self.dictionary.startswith("DICT_") or not isinstance(code, int):
            raise ConfigError(
                f"unknown ArUco dictionary {self.dictionary!r}", hint="e.g. DICT_4X4_50"
            )
        if not 0 < self.marker_m < self.square_m:
            raise ConfigError(
                "ArUco markers must be smaller than the squares", subject="--marker-m"
            )
        dictionary = cv2.aruco.getPredefinedDictionary(code)
        size = (self.columns + 1, self.rows + 1)
        return cv2.aruco.CharucoBoard(size, self.square_m, self.marker_m, dictionary)

    def object_points(self) -> NDArray[np.float32]:
        """The inner corners on the board's plane (metres), row by row."""
        grid = np.zeros((self.rows * self.columns, 3), np.float32)
        grid[:, :2] = np.mgrid[0 : self.columns, 0 : self.rows].T.reshape(-1, 2) * self.square_m
        return grid


@dataclass(frozen=True)
class Intrinsics:
    """One camera's lens.

    Attributes:
        name: Camera name.
        matrix: 3×3 camera matrix (pixels).
        distortion: ``(k1, k2, p1, p2, k3)``.
        width: Picture width.
        height: Picture height.
        rms_px: RMS reprojection error of its own calibration (pixels).
    """

    name: str
    matrix: FloatArray
    distortion: FloatArray
    width: int
    height: int
    rms_px: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """``intrinsics_{camera}.json`` (the seed's keys first)."""
        d = self.distortion
        return {
            "schema_version": CALIBRATION_VERSION,
            "camera_id": self.name,
            "fx": float(self.matrix[0, 0]),
            "fy": float(self.matrix[1, 1]),
            "cx": float(self.matrix[0, 2]),
            "cy": float(self.matrix[1, 2]),
            "distortion_k1": float(d[0]),
            "distortion_k2": float(d[1]),
            "distortion": [float(v) for v in d],
            "distortion_model": "opencv k1 k2 p1 p2 k3",
            "camera_matrix": self.matrix.tolist(),
            "image_size": [self.width, self.height],
            "rms_reprojection_error_px": self.rms_px,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Path) -> Intrinsics:
        """Read back :meth:`as_dict` (``source`` is named in errors)."""
        try:
            matrix = np.asarray(data["camera_matrix"], np.float64).reshape(3, 3)
            distortion = np.asarray(data["distortion"], np.float64).reshape(-1)
            width, height = (int(v) for v in data["image_size"])
            return cls(
                str(data["camera_id"]), matrix, distortion, width, height,
                float(data.get("rms_reprojection_error_px", 0.0)),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"not an intrinsics file ({exc})", subject=source, hint=CALIBRATION_HINT
            ) from None


@dataclass(frozen=True)
class StereoCalibration:
    """Two cameras and the right one's pose in the left one's frame.

    Attributes:
        left: Left intrinsics (its frame is the world frame of observations).
        right: Right intrinsics.
        rotation: 3×3 rotation left → right.
        translation: Translation left → right (metres).
        rms_px: RMS reprojection error of the stereo fit (pixels).
        views: Board views both cameras saw.
        measured_baseline_m: The baseline measured with a tape, when given.
    """

    left: Intrinsics
    right: Intrinsics
    rotation: FloatArray
    translation: FloatArray
    rms_px: float = 0.0
    views: int = 0
    measured_baseline_m: float | None = None

    @property
    def baseline_m(self) -> float:
        """Distance between the optical centres."""
        return float(np.linalg.norm(self.translation))

    @property
    def baseline_error_pct(self) -> float | None:
        """Calibrated vs measured baseline, in % of the measured one."""
        if not self.measured_baseline_m:
            return None
        return 100.0 * abs(self.baseline_m - self.measured_baseline_m) / self.measured_baseline_m

    @property
    def convergence_angle_deg(self) -> float:
        """Angle between the two optical axes."""
        axis = self.rotation.T @ np.array([0.0, 0.0, 1.0])
        return math.degrees(math.acos(max(-1.0, min(1.0, float(axis[2])))))

    def geometry(self) -> dict[str, Any]:
        """``stereo_geometry.json``."""
        return {
            "schema_version": CALIBRATION_VERSION,
            "units": "metres; X right, Y down, Z forward from the left camera",
            "cameras": [self.left.name, self.right.name],
            "baseline_m": self.baseline_m,
            "measured_baseline_m": self.measured_baseline_m,
            "baseline_error_pct": self.baseline_error_pct,
            "convergence_angle_deg": self.convergence_angle_deg,
            "rotation": self.rotation.tolist(),
            "translation_m": self.translation.tolist(),
            "rms_reprojection_error_px": self.rms_px,
            "views_used": self.views,
        }


def _gray(frame: Frame) -> NDArray[np.uint8]:
    return np.asarray(cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY), np.uint8)


def _may_hold(gray: NDArray[np.uint8], pattern: tuple[int, int]) -> bool:
    """Whether a board may be in ``gray`` (OpenCV's quick check on a smaller copy)."""
    scale = min(1.0, 640 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return bool(cv2.checkChessboard(small, pattern))


def _paired(left: Path, right: Path, step: int) -> Iterator[tuple[Frame, Frame]]:
    """Frames of the two videos taken at (nearly) the same time, every ``step``-th pair."""
    with FileSource(left) as a, FileSource(right) as b:
        others = iter(b.read())
        other = next(others, None)
        for number, frame in enumerate(a.read()):
            while other is not None and other.seconds < frame.seconds - 0.02:
                other = next(others, None)
            if other is None:
                return
            if abs(other.seconds - frame.seconds) <= 0.02 and number % step == 0:
                yield frame, other


Views = list[NDArray[np.float32]]


def _charuco_pair(
    detector: cv2.aruco.CharucoDetector,
    gray_l: NDArray[np.uint8],
    gray_r: NDArray[np.uint8],
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]] | None:
    """Board points both views identified (object, left, right), or ``None`` under 8."""
    found: list[dict[int, NDArray[np.float32]]] = []
    for gray in (gray_l, gray_r):
        corners, ids, _, _ = detector.detectBoard(gray)
        if ids is None or len(ids) < 8:
            return None
        numbers = [int(i) for i in np.asarray(ids).ravel()]
        points = np.asarray(corners, np.float32).reshape(-1, 2)
        found.append(dict(zip(numbers, points, strict=True)))
    common = sorted(set(found[0]) & set(found[1]))
    if len(common) < 8:
        return None
    grid = np.asarray(detector.getBoard().getChessboardCorners(), np.float32)
    objects = grid[np.asarray(common, np.int64)].reshape(-1, 1, 3)
    left = np.array([found[0][i] for i in common], np.float32).reshape(-1, 1, 2)
    right = np.array([found[1][i] for i in common], np.float32).reshape(-1, 1, 2)
    return objects, left, right


def find_views(
    left: Path, right: Path, board: Board, step: int = 1
) -> tuple[Views, Views, Views, tuple[int, int]]:
    """Board points in every paired frame where both cameras see the board.

    A checkerboard counts only when whole in both views; a ChArUco board when both views
    identify at least 8 of the same corners. Returns object points, left and right image
    points per view, and the picture size.

    Raises:
        InputError: Fewer than 4 such frames.
    """
    pattern = (board.columns, board.rows)
    flags = cv2.CALIB_CB_NORMALIZE_IMAGE | cv2.CALIB_CB_ACCURACY
    detector = cv2.aruco.CharucoDetector(board.charuco_board()) if board.charuco else None
    objects: Views = []
    seen_left: Views = []
    seen_right: Views = []
    size = (0, 0)
    frames = 0
    for frame_l, frame_r in _paired(left, right, step):
        frames += 1
        size = (frame_l.width, frame_l.height)
        gray_l, gray_r = _gray(frame_l), _gray(frame_r)
        if detector is not None:
            pair = _charuco_pair(detector, gray_l, gray_r)
            if pair is not None:
                objects.append(pair[0])
                seen_left.append(pair[1])
                seen_right.append(pair[2])
            continue
        # The accurate detector takes ~0.2 s a frame even where there is no board; a quick
        # look at a quarter-size picture (~3 ms) skips those frames.
        if not (_may_hold(gray_l, pattern) and _may_hold(gray_r, pattern)):
            continue
        found_l, corners_l = cv2.findChessboardCornersSB(gray_l, pattern, flags=flags)
        if not found_l:
            continue
        found_r, corners_r = cv2.findChessboardCornersSB(gray_r, pattern, flags=flags)
        if found_r:
            objects.append(board.object_points().reshape(-1, 1, 3))
            seen_left.append(np.asarray(corners_l, np.float32).reshape(-1, 1, 2))
            seen_right.append(np.asarray(corners_r, np.float32).reshape(-1, 1, 2))
    if len(seen_left) < 4:
        kind = "ChArUco" if board.charuco else "checkerboard"
        raise InputError(
            f"the {board.columns}x{board.rows} {kind} was seen by both cameras in "
            f"{len(seen_left)} of {frames} paired frames; calibration needs at least 4",
            subject=left,
            hint="film the whole board in both views from several angles, or fix --board",
        )
    return objects, seen_left, seen_right, size


def _camera(
    name: str, objects: Views, views: Views, size: tuple[int, int], fit_k3: bool
) -> Intrinsics:
    flags = 0 if fit_k3 else cv2.CALIB_FIX_K3
    rms, matrix, distortion, _, _ = cv2.calibrateCamera(
        objects, views, size, None, None, flags=flags
    )
    return Intrinsics(
        name,
        np.asarray(matrix, np.float64),
        np.asarray(distortion, np.float64).reshape(-1)[:5],
        size[0],
        size[1],
        float(rms),
    )


def calibrate(
    left: Path,
    right: Path,
    board: Board,
    *,
    names: tuple[str, str] = ("left", "right"),
    measured_baseline_m: float | None = None,
    fit_k3: bool = False,
    step: int = 1,
) -> StereoCalibration:
    """Calibrate a camera pair from its two recordings of ``board``.

    Raises:
        InputError: A video is unusable, or the board was seen too rarely.
    """
    objects, views_l, views_r, size = find_views(left, right, board, step)
    intr_l = _camera(names[0], objects, views_l, size, fit_k3)
    intr_r = _camera(names[1], objects, views_r, size, fit_k3)
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 100, 1e-9)
    rms, *_, rotation, translation, _, _ = cv2.stereoCalibrate(
        objects, views_l, views_r, intr_l.matrix, intr_l.distortion, intr_r.matrix,
        intr_r.distortion, size, criteria=criteria, flags=cv2.CALIB_FIX_INTRINSIC,
    )  # fmt: skip
    shift = np.asarray(translation, np.float64).reshape(3)
    return StereoCalibration(
        intr_l, intr_r, np.asarray(rotation, np.float64), shift, float(rms), len(views_l),
        measured_baseline_m,
    )  # fmt: skip


def write_calibration(
    folder: Path,
    calibration: StereoCalibration,
    roi: dict[str, dict[str, list[list[float]]]] | None = None,
    strike_zone: dict[str, list[float]] | None = None,
) -> list[Path]:
    """Write the ``calibration/`` files atomically; return their paths."""
    written = [folder / "stereo_geometry.json"]
    write_json(written[0], calibration.geometry())
    for intrinsics in (calibration.left, calibration.right):
        path = folder / f"intrinsics_{intrinsics.name}.json"
        write_json(path, intrinsics.as_dict())
        written.append(path)
    if roi:
        path = folder / "roi_annotations.json"
        write_json(path, {"schema_version": CALIBRATION_VERSION, "units": "pixels", "cameras": roi})
        written.append(path)
    if strike_zone:
        path = folder / "strike_zone_definition.json"
        write_json(path, {"schema_version": CALIBRATION_VERSION, "units": "metres", **strike_zone})
        written.append(path)
    return written


def read_calibration(folder: Path) -> StereoCalibration:
    """Read a ``calibration/`` folder written by :func:`write_calibration`.

    Raises:
        InputNotFoundError: A file is missing.
        ConfigError: A file is not JSON.
        InputError: A file lacks what calibration needs.
    """
    geometry_path = folder / "stereo_geometry.json"
    geometry = read_json(geometry_path, what="stereo geometry", hint=CALIBRATION_HINT)
    try:
        names = [str(n) for n in geometry["cameras"]]
        rotation = np.asarray(geometry["rotation"], np.float64).reshape(3, 3)
        translation = np.asarray(geometry["translation_m"], np.float64).reshape(3)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"not a stereo geometry file ({exc})", subject=geometry_path, hint=CALIBRATION_HINT
        ) from None
    if len(names) != 2:
        raise ConfigError("stereo geometry must name two cameras", subject=geometry_path)
    intrinsics = []
    for name in names:
        path = folder / f"intrinsics_{name}.json"
        intrinsics.append(
            Intrinsics.from_dict(
                read_json(path, what="intrinsics file", hint=CALIBRATION_HINT), path
            )
        )
    measured = geometry.get("measured_baseline_m")
    return StereoCalibration(
        intrinsics[0], intrinsics[1], rotation, translation,
        float(geometry.get("rms_reprojection_error_px", 0.0)), int(geometry.get("views_used", 0)),
        float(measured) if measured else None,
    )  # fmt: skip
