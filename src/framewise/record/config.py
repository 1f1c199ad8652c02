"""The recording config: the seed's ``recording:`` keys, cameras with ROI gates, stereo.

Example ``rec.yaml``::

    recording:
      pre_roll_ms: 500
      post_roll_ms: 500
      output_dir: recordings
      session_min_active_frames: 5
      session_end_gap_frames: 10
      save_detections: true
      save_observations: true
      save_training_frames: true
      frame_save_interval: 5
    cameras:
      left:
        roi: {lane_gate_polygon: [[500, 200], [1000, 200], [1000, 600], [500, 600]]}
      right:
        time_offset_ms: 4.0
    calibration: calibration        # a folder written by `framewise calibrate`
    detector: {kind: ball, difference: 18}
    # or a trained ball class: {kind: yolo_onnx, model: ball.onnx, classes: [ball]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from framewise.config.base import ConfigPath, StrictModel
from framewise.config.detectors import BallConfig, YoloOnnxConfig

Polygon = list[tuple[float, float]]


class RecordingSettings(StrictModel):
    """The seed's ``recording:`` block, plus what a multi-camera session needs.

    Attributes:
        pre_roll_ms: Video kept before an episode's first active frame.
        post_roll_ms: Video kept after its last active frame.
        output_dir: Where session folders are made (relative to the config file).
        session_min_active_frames: Active frame sets that open an episode.
        session_end_gap_frames: Inactive frame sets in a row that close it.
        save_detections: Write ``detections/{camera}_detections.json``.
        save_observations: Write ``observations/stereo_observations.json``.
        save_training_frames: Write key frames as ``frames/{camera}/*.png``.
        frame_save_interval: Also every Nth frame of each camera (0: none).
        active_min_cameras: Cameras that must see the ball for a frame set to be active.
        on_camera_loss: ``continue`` with the other cameras, or ``stop`` the session.
        episode_name: The word in episode folder names (``session-…-pitch-001``).
        video_crf: x264 quality of episode videos.
        video_preset: x264 preset of episode videos.
        stall_seconds: A live camera silent this long counts as lost.
    """

    pre_roll_ms: float = Field(default=500.0, ge=0, le=60_000)
    post_roll_ms: float = Field(default=500.0, ge=0, le=60_000)
    output_dir: ConfigPath = Path("recordings")
    session_min_active_frames: int = Field(default=5, ge=1, le=10_000)
    session_end_gap_frames: int = Field(default=10, ge=1, le=10_000)
    save_detections: bool = True
    save_observations: bool = True
    save_training_frames: bool = False
    frame_save_interval: int = Field(default=5, ge=0, le=100_000)
    active_min_cameras: int = Field(default=1, ge=1, le=16)
    on_camera_loss: Literal["continue", "stop"] = "continue"
    episode_name: str = Field(default="pitch", pattern=r"^[A-Za-z0-9_]{1,32}$")
    video_crf: int = Field(default=20, ge=0, le=51)
    video_preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] = (
        "ultrafast"
    )
    stall_seconds: float = Field(default=3.0, gt=0, le=3600)


class RoiSettings(StrictModel):
    """A camera's gates (source pixels): balls count only inside the lane polygon."""

    lane_gate_polygon: Polygon | None = None
    plate_gate_polygon: Polygon | None = None


class CameraSettings(StrictModel):
    """One camera's settings (the location comes from ``--camera NAME=FILE_OR_URL``).

    Attributes:
        roi: Its gates.
        time_offset_ms: Added to its frame times to put them on the session's clock (files
            whose recordings started at different instants).
    """

    roi: RoiSettings = RoiSettings()
    time_offset_ms: float = Field(default=0.0, ge=-3_600_000, le=3_600_000)


class StereoSettings(StrictModel):
    """Matching across the calibrated pair.

    Attributes:
        pair_tolerance_ms: Frames closer in time than this form one frame set
            (``None``: half the first camera's frame interval).
        max_epipolar_px: A match further from the epipolar line is rejected.
        interpolate: Move the other camera's ball to the reference camera's time along its
            image path when their frames were not taken at the same instant.
    """

    pair_tolerance_ms: float | None = Field(default=None, gt=0, le=1000)
    max_epipolar_px: float = Field(default=4.0, gt=0, le=1000)
    interpolate: bool = True


class StrikeZone(StrictModel):
    """Corners of the strike zone in the left camera's frame (metres)."""

    top_left_m: tuple[float, float, float]
    top_right_m: tuple[float, float, float]
    bottom_left_m: tuple[float, float, float]
    bottom_right_m: tuple[float, float, float]


class RecordConfig(StrictModel):
    """A whole recording config (``framewise record --config rec.yaml``).

    ``detector`` is the classical ``ball`` detector or a ``yolo_onnx`` model with a ball
    class (see :mod:`framewise.record.balls`).
    """

    recording: RecordingSettings = RecordingSettings()
    cameras: dict[str, CameraSettings] = Field(default_factory=dict)
    detector: BallConfig | YoloOnnxConfig = Field(
        default=BallConfig(kind="ball"), discriminator="kind"
    )
    stereo: StereoSettings = StereoSettings()
    calibration: ConfigPath | None = None
    strike_zone: StrikeZone | None = None

    def camera(self, name: str) -> CameraSettings:
        """Settings of camera ``name`` (defaults when the config does not name it)."""
        return self.cameras.get(name, CameraSettings())
