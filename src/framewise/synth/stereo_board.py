"""The rendered calibration boards of the synthetic stereo rig, and the lane's backdrop.

A checkerboard (or a ChArUco board) of ``BOARD_CORNERS`` inner corners is placed in seeded
poses that both cameras see whole, and each camera's picture is ray-cast: every pixel's
2×2 sub-pixel rays are undistorted through that camera's lens once, intersected with the
board's plane, and coloured by the board's pattern there, so calibration recovers the true
distortion, not an approximation of it.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from framewise.core.frames import Image
from framewise.record.calibration import Board
from framewise.record.video import H264Writer
from framewise.synth.stereo import CameraModel, FloatArray, StereoRig

BOARD_CORNERS = (9, 6)
"""Inner corners of the rendered board (columns, rows)."""


def scene(camera: CameraModel, seed: int) -> Image:
    """A static, textured lane: sky, a fence line, turf with mown stripes and speckle."""
    rng = np.random.default_rng(seed)
    h, w = camera.height, camera.width
    rows = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    sky = np.array([150, 120, 95], np.float32) * (1.0 - 0.3 * rows)
    turf = np.array([60, 110, 70], np.float32) * (0.8 + 0.3 * rows)
    horizon = int(h * 0.42)
    image = np.where(np.arange(h)[:, None, None] < horizon, sky[:, None, :], turf[:, None, :])
    image = np.broadcast_to(image, (h, w, 3)).copy()
    stripes = (np.arange(w) // max(1, w // 12)) % 2
    image[horizon:] *= (0.93 + 0.07 * stripes)[None, :, None]
    coarse = rng.normal(0.0, 12.0, (h // 16 + 1, w // 16 + 1)).astype(np.float32)
    image += cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)[:, :, None]
    for _ in range(6):  # fence posts and boards: edges the background model must keep still
        x = int(rng.integers(0, w - 40))
        cv2.rectangle(
            image, (x, horizon - 90), (x + int(rng.integers(8, 40)), horizon), (40, 45, 50), -1
        )
    return np.clip(image, 0, 255).astype(np.uint8)


def _rays(camera: CameraModel) -> FloatArray:
    """Unit-depth rays (x, y, 1) of 2×2 sub-pixel samples of every pixel, through the lens."""
    h, w = camera.height, camera.width
    offsets = (-0.25, 0.25)
    grids = [
        np.stack(np.meshgrid(np.arange(w) + dx, np.arange(h) + dy), axis=-1).reshape(-1, 1, 2)
        for dy in offsets
        for dx in offsets
    ]
    pixels = np.concatenate(grids).astype(np.float64)
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 1e-10)
    none = np.eye(3)  # no rectification; the identity projection keeps normalised coordinates
    normal = cv2.undistortPointsIter(pixels, camera.matrix, camera.distortion, none, none, criteria)
    xy = normal.reshape(-1, 2).astype(np.float32)
    return np.concatenate([xy, np.ones((len(xy), 1), np.float32)], axis=1)


def _board_pose(
    rng: np.random.Generator, baseline: float, square: float
) -> tuple[FloatArray, FloatArray]:
    angles = np.radians([rng.uniform(-30, 30), rng.uniform(-30, 30), rng.uniform(-15, 15)])
    rotation, _ = cv2.Rodrigues(angles)
    centre = np.array(
        [baseline / 2 + rng.uniform(-0.6, 0.6), rng.uniform(-0.4, 0.4), rng.uniform(1.8, 3.2)]
    )
    # The board's origin is its top-left square corner; place its centre at ``centre``.
    half = np.array([(BOARD_CORNERS[0] + 1) * square / 2, (BOARD_CORNERS[1] + 1) * square / 2, 0])
    return np.asarray(rotation, np.float64), centre - rotation @ half


def _board_image(
    base: Image,
    rays: FloatArray,
    camera: CameraModel,
    rotation: FloatArray,
    origin: FloatArray,
    square: float,
    texture: Image | None = None,
) -> Image:
    r_cam = camera.rotation @ rotation
    t_cam = camera.rotation @ origin + camera.translation
    normal = r_cam[:, 2].astype(np.float32)
    denom = rays @ normal
    with np.errstate(divide="ignore", invalid="ignore"):
        s = float(normal @ t_cam) / denom
    hits = rays * s[:, None] - t_cam.astype(np.float32)
    local = hits @ r_cam.astype(np.float32)  # = R^T (s r - t), row-wise
    cols, rows = BOARD_CORNERS[0] + 1, BOARD_CORNERS[1] + 1
    x, y = local[:, 0] / square, local[:, 1] / square
    on_squares = (x >= 0) & (x < cols) & (y >= 0) & (y < rows) & (s > 0)
    on_board = (x >= -1) & (x < cols + 1) & (y >= -1) & (y < rows + 1) & (s > 0)
    if texture is None:
        parity = (np.floor(x).astype(np.int32) + np.floor(y).astype(np.int32)) % 2 == 0
    else:  # a printed board (ChArUco): its picture looked up where each ray lands
        per_square = texture.shape[1] / cols
        tx = np.clip((x * per_square).astype(np.int32), 0, texture.shape[1] - 1)
        ty = np.clip((y * per_square).astype(np.int32), 0, texture.shape[0] - 1)
        parity = texture[ty, tx] < 128
    dark = on_squares & parity
    samples = len(rays) // 4
    grey = base.astype(np.float32).reshape(1, -1, 3).repeat(4, axis=0).reshape(-1, 3)
    grey[on_board] = 215.0
    grey[dark] = 35.0
    image = grey.reshape(4, samples, 3).mean(axis=0)
    return np.asarray(np.clip(image.reshape(camera.height, camera.width, 3), 0, 255), np.uint8)


def _charuco_texture(square: float) -> Image:
    """The ChArUco board :class:`~framewise.record.calibration.Board` describes, 100 px a square."""
    board = Board(BOARD_CORNERS[0], BOARD_CORNERS[1], square, charuco=True, marker_m=0.75 * square)
    cols, rows = BOARD_CORNERS[0] + 1, BOARD_CORNERS[1] + 1
    picture = board.charuco_board().generateImage((cols * 100, rows * 100), marginSize=0)
    return np.asarray(picture, np.uint8)


def _board_corners(rotation: FloatArray, origin: FloatArray, square: float) -> FloatArray:
    cols, rows = BOARD_CORNERS
    grid = np.array(
        [[(i + 1) * square, (j + 1) * square, 0.0] for j in range(rows) for i in range(cols)]
    )
    return np.asarray(grid @ rotation.T + origin, np.float64)


def render_calibration(
    out: Path,
    rig: StereoRig,
    *,
    seed: int,
    poses: int,
    square_m: float = 0.08,
    charuco: bool = False,
) -> dict[str, object]:
    """Write ``calibration_{camera}.mp4``: the board in ``poses`` seeded poses, seen by both.

    Returns the truth's ``calibration`` entry (board, videos, poses).
    """
    rng = np.random.default_rng(seed + 1000)
    count = poses
    placed: list[tuple[FloatArray, FloatArray]] = []
    while len(placed) < count:
        rotation, origin = _board_pose(rng, rig.baseline_m, square_m)
        corners = _board_corners(rotation, origin, square_m)
        margin = 30
        if all(
            (px[:, 0] > margin).all() and (px[:, 0] < c.width - margin).all()
            and (px[:, 1] > margin).all() and (px[:, 1] < c.height - margin).all()
            for c in rig.cameras
            for px in [c.project(corners)]
        ):  # fmt: skip
            placed.append((rotation, origin))
    rate = Fraction(2)
    for number, camera in enumerate(rig.cameras):
        base = scene(camera, seed * 7 + number)
        rays = _rays(camera)
        texture = _charuco_texture(square_m) if charuco else None
        with H264Writer(
            out / f"calibration_{camera.name}.mp4",
            camera.width,
            camera.height,
            crf=10,
            preset="superfast",
            rate=rate,
        ) as video:
            for index, (rotation, origin) in enumerate(placed):
                video.write(
                    _board_image(base, rays, camera, rotation, origin, square_m, texture),
                    index / 2.0,
                )
    return {
        "board": {
            "kind": "charuco" if charuco else "checkerboard",
            "columns": BOARD_CORNERS[0],
            "rows": BOARD_CORNERS[1],
            "square_m": square_m,
        },
        "videos": {c.name: f"calibration_{c.name}.mp4" for c in rig.cameras},
        "poses": len(placed),
    }
