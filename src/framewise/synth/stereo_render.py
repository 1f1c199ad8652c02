"""Render the synthetic stereo rig: pitch videos, a checkerboard sequence and the truth JSON.

``render_stereo(out, settings)`` writes into ``out``:

- ``left.mp4``, ``right.mp4``: the lane seen by each camera (H.264, ``fps`` frames per
  second): a textured static scene, sensor noise, and the ball drawn with motion blur
  (the shutter open ``exposure`` of each frame interval, sampled at 7 instants);
- ``calibration_left.mp4``, ``calibration_right.mp4``: a 9×6-corner checkerboard in
  ``calibration_poses`` poses seen by both cameras at once, rendered by ray casting
  through each lens' distortion (so calibration recovers the true distortion);
- ``truth.json``: the rig (intrinsics, distortion, extrinsics, baseline), each pitch's start
  and end and its 3-D path at 1 ms, each frame's true ball pixel, and the board;
- ``rec.yaml``: a recording config for the rig (lane polygons around the flights).

Everything is seeded: the same seed writes the same truth and the same pictures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import yaml

from framewise.core.atomic import write_json, write_text
from framewise.core.errors import ConfigError
from framewise.core.frames import Image
from framewise.record.calibration import Board
from framewise.record.video import H264Writer
from framewise.synth.stereo import (
    BALL_RADIUS_M,
    CameraModel,
    FloatArray,
    ScheduledPitch,
    StereoRig,
    schedule_pitches,
)

BOARD_CORNERS = (9, 6)
"""Inner corners of the rendered checkerboard (columns, rows)."""

BLUR_SAMPLES = 7
"""Instants the shutter is sampled at for motion blur."""

TRUTH_VERSION = 1

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StereoSettings:
    """What to render.

    Attributes:
        seed: Seed of the pitches, the scene and the noise.
        pitches: Pitches (episodes) in the session.
        fps: Frame rate of both cameras.
        width: Picture width.
        height: Picture height.
        noise_sigma: Sensor noise (grey levels, Gaussian).
        exposure: Share of the frame interval the shutter is open (motion blur length).
        baseline_m: Distance between the cameras.
        square_m: Checkerboard square side.
        calibration_poses: Board poses in the calibration sequence.
        tail_seconds: Idle time after the last pitch.
        crf: x264 quality of the written videos.
        charuco: Render a ChArUco board (markers 0.75 of a square, ``DICT_4X4_50``) instead
            of a checkerboard.
        right_offset_ms: The right camera takes each frame this much later than the left
            (an unsynchronised rig); its video's times still start at 0, and ``rec.yaml``
            and the truth give the offset.
    """

    seed: int = 0
    pitches: int = 3
    fps: float = 60.0
    width: int = 1280
    height: int = 720
    noise_sigma: float = 2.0
    exposure: float = 0.5
    baseline_m: float = 0.8
    square_m: float = 0.08
    calibration_poses: int = 16
    tail_seconds: float = 1.0
    crf: int = 16
    right_offset_ms: float = 0.0
    charuco: bool = False

    def check(self) -> None:
        """Refuse settings that cannot be rendered.

        Raises:
            ConfigError: Out of range.
        """
        problems = [
            (self.pitches < 1 or self.pitches > 500, "--pitches must be 1-500"),
            (not 1.0 <= self.fps <= 240.0, "--fps must be 1-240"),
            (
                self.width % 2 or self.height % 2 or self.width < 320,
                "--size must be even, >= 320 wide",
            ),
            (not 0.05 <= self.baseline_m <= 10.0, "--baseline-m must be 0.05-10"),
            (not 0.0 <= self.noise_sigma <= 50.0, "noise must be 0-50 grey levels"),
            (not 0.0 <= self.exposure <= 1.0, "exposure must be 0-1"),
            (not 4 <= self.calibration_poses <= 100, "--poses must be 4-100"),
            (not 0.0 <= self.right_offset_ms <= 1000.0 / self.fps, "offset must be 0-1 frame"),
        ]
        for bad, message in problems:
            if bad:
                raise ConfigError(message, subject="synth-stereo")


def _scene(camera: CameraModel, seed: int) -> Image:
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


def _draw_ball(
    image: Image, camera: CameraModel, pitch: ScheduledPitch, t: float, open_s: float
) -> tuple[float, float, float] | None:
    """Blend the ball, blurred over the shutter, into ``image``; its true (u, v, r) at ``t``."""
    instants = t + np.linspace(-open_s / 2, open_s / 2, BLUR_SAMPLES)
    inside = (instants >= pitch.start) & (instants <= pitch.end)
    if not inside.any():
        return None
    points = pitch.flight.at(instants[inside] - pitch.start)
    pixels = camera.project(points)
    radii = camera.matrix[0, 0] * BALL_RADIUS_M / camera.depth(points)
    pad = math.ceil(radii.max()) + 3
    x0 = max(0, int(pixels[:, 0].min()) - pad)
    y0 = max(0, int(pixels[:, 1].min()) - pad)
    x1 = min(camera.width, int(pixels[:, 0].max()) + pad + 1)
    y1 = min(camera.height, int(pixels[:, 1].max()) + pad + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    alpha = np.zeros((y1 - y0, x1 - x0), np.float32)
    stamp = np.zeros_like(alpha)
    for (u, v), r in zip(pixels, radii, strict=True):
        stamp[:] = 0
        centre = (round((u - x0) * 16), round((v - y0) * 16))
        cv2.circle(stamp, centre, max(1, round(r * 16)), 1.0, -1, cv2.LINE_AA, shift=4)
        alpha += stamp
    alpha = (alpha / BLUR_SAMPLES)[:, :, None]
    patch = image[y0:y1, x0:x1].astype(np.float32)
    ball = np.array([235, 238, 240], np.float32)
    image[y0:y1, x0:x1] = (patch * (1 - alpha) + ball * alpha).astype(np.uint8)
    if not pitch.start <= t <= pitch.end:
        return None
    centre_now = pitch.flight.at(t - pitch.start)
    u, v = camera.project(centre_now)[0]
    r = camera.matrix[0, 0] * BALL_RADIUS_M / float(camera.depth(centre_now)[0])
    return float(u), float(v), float(r)


def _noisy(base: Image, rng: np.random.Generator, sigma: float) -> Image:
    if sigma <= 0:
        return base.copy()
    noise = np.empty(base.shape, np.int16)
    cv2.randn(noise, 0, sigma)  # type: ignore[call-overload]
    return np.asarray(np.clip(base.astype(np.int16) + noise, 0, 255), np.uint8)


def _pitch_at(pitches: list[ScheduledPitch], t: float, margin: float) -> ScheduledPitch | None:
    return next((p for p in pitches if p.start - margin <= t <= p.end + margin), None)


def render_lane(
    out: Path, rig: StereoRig, settings: StereoSettings, progress: Progress | None = None
) -> dict[str, object]:
    """Write ``left.mp4`` and ``right.mp4``; return the truth of pitches and frames."""
    pitches = schedule_pitches(settings.pitches, settings.seed)
    duration = pitches[-1].end + settings.tail_seconds
    count = int(duration * settings.fps)
    interval = 1.0 / settings.fps
    open_s = settings.exposure * interval
    rate = Fraction(settings.fps).limit_denominator(1001)
    frames: dict[str, list[dict[str, object]]] = {}
    offsets = {"left": 0.0, "right": settings.right_offset_ms / 1000}
    for number, camera in enumerate(rig.cameras):
        base = _scene(camera, settings.seed * 7 + number)
        rng = np.random.default_rng(settings.seed * 13 + number)
        cv2.setRNGSeed(settings.seed * 17 + number)
        seen: list[dict[str, object]] = []
        offset = offsets[camera.name]
        with H264Writer(
            out / f"{camera.name}.mp4", camera.width, camera.height, crf=settings.crf,
            preset="superfast", rate=rate,
        ) as video:  # fmt: skip
            for index in range(count):
                t = index * interval + offset  # the capture instant on the session clock
                image = _noisy(base, rng, settings.noise_sigma)
                pitch = _pitch_at(pitches, t, open_s)
                truth = _draw_ball(image, camera, pitch, t, open_s) if pitch else None
                if truth is not None:
                    seen.append(
                        {
                            "index": index,
                            "seconds": t,
                            "u": truth[0],
                            "v": truth[1],
                            "radius_px": truth[2],
                        }
                    )
                video.write(image, index * interval)
                if progress is not None and index % 60 == 0:
                    progress(number * count + index, 2 * count)
        frames[camera.name] = seen
    return {
        "fps": settings.fps,
        "frame_count": count,
        "duration_seconds": count * interval,
        "ball_radius_m": BALL_RADIUS_M,
        "cameras": {
            c.name: {"video": f"{c.name}.mp4", "time_offset_seconds": offsets[c.name]}
            for c in rig.cameras
        },
        "episodes": [
            {
                "index": number + 1,
                "start_seconds": p.start,
                "end_seconds": p.end,
                "path": [
                    [p.start + float(t), *map(float, xyz)]
                    for t, xyz in zip(p.flight.times, p.flight.points, strict=True)
                ],
            }
            for number, p in enumerate(pitches)
        ],
        "frames": frames,
    }


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


def render_calibration(out: Path, rig: StereoRig, settings: StereoSettings) -> dict[str, object]:
    """Write ``calibration_{camera}.mp4``: the board in seeded poses, both cameras at once."""
    rng = np.random.default_rng(settings.seed + 1000)
    poses: list[tuple[FloatArray, FloatArray]] = []
    while len(poses) < settings.calibration_poses:
        rotation, origin = _board_pose(rng, rig.baseline_m, settings.square_m)
        corners = _board_corners(rotation, origin, settings.square_m)
        margin = 30
        if all(
            (px[:, 0] > margin).all() and (px[:, 0] < c.width - margin).all()
            and (px[:, 1] > margin).all() and (px[:, 1] < c.height - margin).all()
            for c in rig.cameras
            for px in [c.project(corners)]
        ):  # fmt: skip
            poses.append((rotation, origin))
    rate = Fraction(2)
    for number, camera in enumerate(rig.cameras):
        base = _scene(camera, settings.seed * 7 + number)
        rays = _rays(camera)
        texture = _charuco_texture(settings.square_m) if settings.charuco else None
        with H264Writer(
            out / f"calibration_{camera.name}.mp4",
            camera.width,
            camera.height,
            crf=10,
            preset="superfast",
            rate=rate,
        ) as video:
            for index, (rotation, origin) in enumerate(poses):
                video.write(
                    _board_image(base, rays, camera, rotation, origin, settings.square_m, texture),
                    index / 2.0,
                )
    return {
        "board": {
            "kind": "charuco" if settings.charuco else "checkerboard",
            "columns": BOARD_CORNERS[0],
            "rows": BOARD_CORNERS[1],
            "square_m": settings.square_m,
        },
        "videos": {c.name: f"calibration_{c.name}.mp4" for c in rig.cameras},
        "poses": len(poses),
    }


def _lane_polygon(frames: list[dict[str, object]], width: int, height: int) -> list[list[int]]:
    """A generous quadrilateral around where the ball flies in this view (an ROI gate)."""
    if not frames:
        return [[0, 0], [width, 0], [width, height], [0, height]]
    us = np.array([float(f["u"]) for f in frames])  # type: ignore[arg-type]
    vs = np.array([float(f["v"]) for f in frames])  # type: ignore[arg-type]
    pad = 80
    x0, x1 = max(0, int(us.min()) - pad), min(width, int(us.max()) + pad)
    y0, y1 = max(0, int(vs.min()) - pad), min(height, int(vs.max()) + pad)
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def render_stereo(
    out: Path, settings: StereoSettings, progress: Progress | None = None
) -> dict[str, object]:
    """Render everything into ``out`` (see the module docstring); return the truth written."""
    settings.check()
    rig = StereoRig.default(settings.baseline_m, width=settings.width, height=settings.height)
    out.mkdir(parents=True, exist_ok=True)
    lane = render_lane(out, rig, settings, progress)
    calibration = render_calibration(out, rig, settings)
    truth: dict[str, object] = {
        "schema_version": TRUTH_VERSION,
        "seed": settings.seed,
        "rig": rig.as_dict(),
        **lane,
        "calibration": calibration,
    }
    write_json(out / "truth.json", truth)
    frames = lane["frames"]
    assert isinstance(frames, dict)
    config = {
        "recording": {
            "pre_roll_ms": 500, "post_roll_ms": 500, "output_dir": "recordings",
            "session_min_active_frames": 5, "session_end_gap_frames": 10,
            "save_detections": True, "save_observations": True,
            "save_training_frames": True, "frame_save_interval": 5,
        },
        "cameras": {
            c.name: {
                "roi": {"lane_gate_polygon": _lane_polygon(frames[c.name], c.width, c.height)},
                **({"time_offset_ms": settings.right_offset_ms} if c.name == "right" else {}),
            }
            for c in rig.cameras
        },
        "calibration": "calibration",
    }  # fmt: skip
    write_text(out / "rec.yaml", yaml.safe_dump(config, sort_keys=False))
    return truth
