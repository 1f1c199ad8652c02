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
from framewise.record.video import H264Writer
from framewise.synth.stereo import (
    BALL_RADIUS_M,
    CameraModel,
    ScheduledPitch,
    StereoRig,
    schedule_pitches,
)
from framewise.synth.stereo_board import render_calibration, scene

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
        base = scene(camera, settings.seed * 7 + number)
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
    calibration = render_calibration(
        out, rig, seed=settings.seed, poses=settings.calibration_poses,
        square_m=settings.square_m, charuco=settings.charuco,
    )  # fmt: skip
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
