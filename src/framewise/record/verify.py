"""``framewise verify-session``: what a session folder holds, checked against its schemas.

The seed's check script as a library call: every episode folder (one with a
``manifest.json``; hidden ``.partial`` folders are unfinished and reported as such) must hold
its per-camera videos (decodable, as many frames as the manifest says), the detection and
observation files its config asked for (valid, counts matching their lists), key frames,
and a manifest with ``performance_metrics``; the session must hold ``calibration/``. Each
check is a line; :attr:`SessionCheck.ok` is false when any failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import av.error
from pydantic import BaseModel, ConfigDict, ValidationError

from framewise.core.jsonfile import strict_loads


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)


class DetectionRecord(_Model):
    """One line of ``{camera}_detections.json``."""

    frame_index: int
    timestamp_ns: int
    u_px: float
    v_px: float
    radius_px: float
    confidence: float


class DetectionsFile(_Model):
    """``detections/{camera}_detections.json``."""

    pitch_id: str
    camera: str
    detection_count: int
    detections: list[DetectionRecord]


class ObservationRecord(_Model):
    """One stereo observation (metres)."""

    timestamp_ns: int
    left_px: tuple[float, float]
    right_px: tuple[float, float]
    X_m: float  # the seed's field names
    Y_m: float
    Z_m: float
    quality: float
    confidence: float


class ObservationsFile(_Model):
    """``observations/stereo_observations.json``."""

    pitch_id: str
    observation_count: int
    observations: list[ObservationRecord]


class DetectionQuality(_Model):
    """``performance_metrics.detection_quality``."""

    stereo_observations: int
    detection_rate_hz: float
    frames_with_no_detection: int


class TimingAccuracy(_Model):
    """``performance_metrics.timing_accuracy``."""

    pre_roll_frames_captured: int
    duration_ns: int
    start_ns: int
    end_ns: int


class PerformanceMetrics(_Model):
    """The manifest's ``performance_metrics``."""

    detection_quality: DetectionQuality
    timing_accuracy: TimingAccuracy


class Manifest(_Model):
    """An episode's ``manifest.json``."""

    schema_version: int
    pitch_id: str
    closed_by: str
    cameras: dict[str, dict[str, Any]]
    camera_names: list[str]
    performance_metrics: PerformanceMetrics


@dataclass
class SessionCheck:
    """The checks of one session: ``(ok, line)`` each, and counts for the summary."""

    folder: Path
    lines: list[tuple[bool, str]] = field(default_factory=list)
    episodes: int = 0

    @property
    def ok(self) -> bool:
        """Every check passed (and there was at least one episode)."""
        return self.episodes > 0 and all(ok for ok, _ in self.lines)

    @property
    def failures(self) -> list[str]:
        """The lines of the failed checks."""
        return [line for ok, line in self.lines if not ok]

    def add(self, ok: bool, line: str) -> None:
        """Record one check."""
        self.lines.append((ok, line))


def _load(path: Path, model: type[BaseModel], check: SessionCheck, name: str) -> Any:
    if not path.is_file():
        check.add(False, f"{name}: missing ({path})")
        return None
    try:
        return model.model_validate(strict_loads(path.read_bytes()))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        check.add(False, f"{name}: not JSON ({exc})")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        check.add(False, f"{name}: {where}: {first['msg']} ({exc.error_count()} problems)")
    return None


def _video_frames(path: Path) -> int | None:
    try:
        with av.open(str(path)) as container:
            return sum(1 for _ in container.decode(video=0))
    except (av.error.FFmpegError, OSError):
        return None


def _switches(folder: Path) -> dict[str, Any]:
    """The session's ``recording:`` switches (defaults when ``session.json`` is absent)."""
    try:
        summary = strict_loads((folder / "session.json").read_bytes())
        recording = summary["config"]["recording"]
        return recording if isinstance(recording, dict) else {}
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        return {}


def _episode(folder: Path, check: SessionCheck, switches: dict[str, Any]) -> None:
    name = folder.name
    manifest = _load(folder / "manifest.json", Manifest, check, f"{name}/manifest.json")
    if not isinstance(manifest, Manifest):
        return
    metrics = manifest.performance_metrics
    check.add(
        True,
        f"{name}: manifest ({manifest.closed_by}, "
        f"{metrics.detection_quality.stereo_observations} observations)",
    )
    for camera, info in manifest.cameras.items():
        video = folder / str(info.get("video", f"{camera}.mp4"))
        frames = _video_frames(video) if video.is_file() else None
        expected = info.get("frames")
        if frames is None:
            check.add(False, f"{name}: {camera} video missing or undecodable ({video.name})")
        else:
            check.add(
                frames == expected, f"{name}: {camera} video {frames} frames (manifest {expected})"
            )
        if switches.get("save_detections", True):
            det = _load(
                folder / "detections" / f"{camera}_detections.json",
                DetectionsFile,
                check,
                f"{name}/detections/{camera}_detections.json",
            )
            if isinstance(det, DetectionsFile):
                good = det.detection_count == len(det.detections)
                check.add(
                    good,
                    f"{name}: {camera} detections {det.detection_count}"
                    + ("" if good else f" but {len(det.detections)} listed"),
                )
        if switches.get("save_training_frames", False):
            pngs = sorted((folder / "frames" / camera).glob("*.png"))
            check.add(
                bool(pngs),
                f"{name}: {camera} frames {len(pngs)} PNG"
                if pngs
                else f"{name}: frames/{camera}: no key frames",
            )
    if switches.get("save_observations", True):
        obs = _load(
            folder / "observations" / "stereo_observations.json",
            ObservationsFile,
            check,
            f"{name}/observations/stereo_observations.json",
        )
        if isinstance(obs, ObservationsFile):
            good = obs.observation_count == len(obs.observations)
            check.add(
                good,
                f"{name}: observations {obs.observation_count}"
                + ("" if good else f" but {len(obs.observations)} listed"),
            )


def verify_session(folder: Path) -> SessionCheck:
    """Check a session folder (see the module docstring)."""
    check = SessionCheck(folder)
    if not folder.is_dir():
        check.add(False, f"no such session folder: {folder}")
        return check
    switches = _switches(folder)
    episodes = sorted(p for p in folder.iterdir() if p.is_dir() and (p / "manifest.json").is_file())
    partial = sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))
    check.episodes = len(episodes)
    check.add(
        bool(episodes),
        f"episodes: {len(episodes)}"
        if episodes
        else f"no episode folders (with manifest.json) in {folder}",
    )
    for name in partial:
        check.add(
            False, f"{name}: an unfinished episode (the recorder was killed while writing it)"
        )
    for episode in episodes:
        _episode(episode, check, switches)
    calibration = folder / "calibration"
    files = sorted(p.name for p in calibration.glob("*.json"))
    need = {"stereo_geometry.json"}
    missing = sorted(need - set(files))
    intrinsics = [f for f in files if f.startswith("intrinsics_")]
    ok = not missing and len(intrinsics) >= 2
    check.add(
        ok,
        f"calibration: {len(files)} files ({', '.join(files)})"
        if ok
        else f"calibration/: missing {', '.join(missing) or 'intrinsics_{camera}.json'}",
    )
    return check
