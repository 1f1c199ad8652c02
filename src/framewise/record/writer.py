"""One episode's folder: per-camera video, detections, observations, key frames, manifest.

The folder is built under a hidden ``.NAME.partial`` name and renamed into place when the
episode closes, after its ``manifest.json`` is written, so an episode folder that exists is
a finished one (a killed run leaves only a hidden partial). Layout and field names follow
the seed (``{camera}_detections.json`` with ``frame_index, timestamp_ns, u_px, v_px,
radius_px, confidence``; ``stereo_observations.json`` in metres instead of feet; key frames
``pre_roll_00001``, ``pitch_NNNNN_first``, ``pitch_NNNNN_last``, ``post_roll_last``,
``uniform_NNNNN``; ``performance_metrics`` in the manifest).
"""

from __future__ import annotations

import shutil
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2

from framewise import __version__
from framewise.core.atomic import write_bytes, write_json
from framewise.core.errors import OutputError
from framewise.core.frames import Image
from framewise.detectors.ball import Ball
from framewise.record.config import RecordingSettings
from framewise.record.pairing import TimedFrame
from framewise.record.video import H264Writer

MANIFEST_VERSION = 1
PNG_BACKLOG = 24
"""Key frames that may wait for encoding before the recorder waits for them."""


@dataclass
class _CameraTrack:
    """What one camera contributed to the episode so far."""

    video: H264Writer
    frames: int = 0
    pre_roll: int = 0
    with_ball: int = 0
    detections: list[dict[str, Any]] = field(default_factory=list)
    first_ns: int | None = None
    last_ns: int | None = None
    last_detection: tuple[int, Image] | None = None
    last_frame: Image | None = None


PNG_OPTIONS = (cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP)
"""Level 1: training frames are written mid-session; level 3's smaller files cost ~3x the time.
One row filter (UP) instead of libpng's adaptive choice per row: a 720p rig frame encodes in
20 ms instead of 39 (real videos: 30-55 % less), files within ±10 % (same pixels: lossless)."""


def _png(path: Path, image: Image) -> None:
    ok, data = cv2.imencode(".png", image, list(PNG_OPTIONS))
    if not ok:
        raise OutputError("cannot encode the frame as PNG", subject=path)
    write_bytes(path, data.tobytes())


class EpisodeWriter:
    """Writes one episode (see the module docstring).

    Args:
        folder: The episode's final folder (``session-…-pitch-001``).
        cameras: Camera names, reference first.
        settings: The ``recording:`` settings (save switches, video quality).
        episode_id: The manifest's ``pitch_id`` (the folder's name).
        rate: Nominal frame rate of the cameras (the videos' average rate).
    """

    def __init__(
        self,
        folder: Path,
        cameras: list[str],
        settings: RecordingSettings,
        episode_id: str,
        rate: Fraction,
    ) -> None:
        self.folder = folder
        self.partial = folder.with_name(f".{folder.name}.partial")
        shutil.rmtree(self.partial, ignore_errors=True)
        self.partial.mkdir(parents=True)
        self.settings = settings
        self.episode_id = episode_id
        self.rate = rate
        self.cameras = cameras
        self.tracks: dict[str, _CameraTrack] = {}
        self.observations: list[dict[str, Any]] = []
        self.skews: list[float] = []
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="png")
        self._pngs: deque[Future[None]] = deque()

    def _track(self, frame: TimedFrame) -> _CameraTrack:
        track = self.tracks.get(frame.camera)
        if track is None:
            s = self.settings
            video = H264Writer(
                self.partial / f"{frame.camera}.mp4",
                frame.frame.width - frame.frame.width % 2,
                frame.frame.height - frame.frame.height % 2,
                crf=s.video_crf,
                preset=s.video_preset,
                rate=self.rate,
            )
            track = self.tracks[frame.camera] = _CameraTrack(video)
        return track

    def _key_frame(self, camera: str, name: str, image: Image) -> None:
        if not self.settings.save_training_frames:
            return
        # PNG encoding is the recorder's costliest step (~20-60 ms a 720p frame): it runs on
        # two threads beside the loop, with a bounded backlog so memory stays flat.
        while len(self._pngs) >= PNG_BACKLOG:
            self._pngs.popleft().result()
        path = self.partial / "frames" / camera / f"{name}.png"
        self._pngs.append(self._pool.submit(_png, path, image))

    def _drain(self) -> None:
        """Wait for every PNG queued (re-raising a failed write)."""
        while self._pngs:
            self._pngs.popleft().result()

    def add(self, frame: TimedFrame, balls: list[Ball], pre_roll: bool) -> None:
        """Write one camera's frame (in time order per camera) with its balls."""
        track = self._track(frame)
        track.video.write(frame.frame.image, frame.capture)
        track.frames += 1
        number = track.frames
        ns = frame.capture_ns
        track.first_ns = ns if track.first_ns is None else track.first_ns
        track.last_ns = ns
        track.last_frame = frame.frame.image
        if pre_roll:
            track.pre_roll += 1
            if track.pre_roll == 1:
                self._key_frame(frame.camera, "pre_roll_00001", frame.frame.image)
        if balls:
            if track.with_ball == 0:
                self._key_frame(frame.camera, f"pitch_{number:05d}_first", frame.frame.image)
            track.with_ball += 1
            track.last_detection = (number, frame.frame.image)
            for ball in balls:
                track.detections.append(
                    {
                        "frame_index": frame.frame.index,
                        "episode_frame": number,
                        "timestamp_ns": ns,
                        "pts_seconds": frame.frame.seconds,
                        "u_px": ball.u,
                        "v_px": ball.v,
                        "radius_px": ball.radius_px,
                        "confidence": ball.confidence,
                    }
                )
        interval = self.settings.frame_save_interval
        if interval and number % interval == 0:
            self._key_frame(frame.camera, f"uniform_{number:05d}", frame.frame.image)

    def add_observation(self, observation: dict[str, Any], skew: float) -> None:
        """Keep one stereo observation (the seed's fields, metres)."""
        self.observations.append(observation)
        self.skews.append(skew)

    def abandon(self) -> None:
        """Drop everything written (nothing appears under :attr:`folder`)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        for track in self.tracks.values():
            track.video.abandon()
        shutil.rmtree(self.partial, ignore_errors=True)

    def close(self, start: float, end: float, closed_by: str, extra: dict[str, Any]) -> Path:
        """Finish the files, write the manifest and move the folder into place."""
        for camera, track in self.tracks.items():
            track.video.close()
            if track.last_detection is not None:
                number, image = track.last_detection
                self._key_frame(camera, f"pitch_{number:05d}_last", image)
            if track.last_frame is not None:
                self._key_frame(camera, "post_roll_last", track.last_frame)
            if self.settings.save_detections:
                write_json(
                    self.partial / "detections" / f"{camera}_detections.json",
                    {
                        "schema_version": MANIFEST_VERSION,
                        "pitch_id": self.episode_id,
                        "camera": camera,
                        "detection_count": len(track.detections),
                        "detections": track.detections,
                    },
                )
        self._drain()
        self._pool.shutdown(wait=True)
        if self.settings.save_observations:
            write_json(
                self.partial / "observations" / "stereo_observations.json",
                {
                    "schema_version": MANIFEST_VERSION,
                    "pitch_id": self.episode_id,
                    "units": "metres; X right, Y down, Z forward from the left camera",
                    "observation_count": len(self.observations),
                    "observations": self.observations,
                },
            )
        write_json(self.partial / "manifest.json", self._manifest(start, end, closed_by, extra))
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.partial.replace(self.folder)
        return self.folder

    def _manifest(
        self, start: float, end: float, closed_by: str, extra: dict[str, Any]
    ) -> dict[str, Any]:
        duration = max(0.0, end - start)
        frames_total = max((t.frames for t in self.tracks.values()), default=0)
        reference = self.tracks.get(self.cameras[0])
        quality: dict[str, Any] = {
            f"{camera}_camera_detections": len(self.tracks[camera].detections)
            if camera in self.tracks
            else 0
            for camera in self.cameras
        }
        quality.update(
            {
                "stereo_observations": len(self.observations),
                "detection_rate_hz": len(self.observations) / duration if duration > 0 else 0.0,
                "frames_with_no_detection": (reference.frames - reference.with_ball)
                if reference
                else 0,
                "mean_pairing_skew_ms": 1000 * sum(self.skews) / len(self.skews)
                if self.skews
                else 0.0,
                "max_pairing_skew_ms": 1000 * max(self.skews, default=0.0),
            }
        )
        return {
            "schema_version": MANIFEST_VERSION,
            "created_by": f"framewise {__version__}",
            "pitch_id": self.episode_id,
            "start_seconds": start,
            "end_seconds": end,
            "closed_by": closed_by,
            "cameras": {
                camera: {
                    "video": f"{camera}.mp4",
                    "frames": track.frames,
                    "pre_roll_frames": track.pre_roll,
                    "first_frame_ns": track.first_ns,
                    "last_frame_ns": track.last_ns,
                }
                for camera, track in self.tracks.items()
            },
            "performance_metrics": {
                "detection_quality": quality,
                "timing_accuracy": {
                    "pre_roll_frames_captured": reference.pre_roll if reference else 0,
                    "frames_written": frames_total,
                    "duration_ns": round(duration * 1e9),
                    "start_ns": round(start * 1e9),
                    "end_ns": round(end * 1e9),
                },
            },
            **extra,
        }
