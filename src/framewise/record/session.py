"""The recorder: N cameras → frame sets → balls → stereo → episodes with rolls → folders.

One loop over :class:`~framewise.record.pairing.Synchronizer`'s frame sets. Each set's
frames go through their camera's ball detector; a set is *active* when at least
``active_min_cameras`` of its cameras see a ball. Sets wait in a ring buffer long enough to
supply the pre-roll once :class:`~framewise.record.episodes.EpisodeTracker` opens an
episode; the inactive sets after an episode's last active one are held back and only the
post-roll's worth is written. A camera lost mid-episode closes the episode at once (its
manifest says ``closed_by: camera_lost`` and names the camera); the session then goes on
with the others or stops, as ``on_camera_loss`` says. A closed episode is finished (its
last key frames, video trailers, JSON files, manifest, rename) on a thread of its own while
the next frames are read, in order; :meth:`Recorder.run` returns when all are on disk, and a
disconnect never touches a finished one.
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np

from framewise.core.atomic import write_json
from framewise.detectors.ball import Ball
from framewise.record.balls import BallFinder, make_finder
from framewise.record.calibration import StereoCalibration, write_calibration
from framewise.record.config import RecordConfig
from framewise.record.episodes import Closed, EpisodeTracker, Opened
from framewise.record.pairing import ENDED, Camera, CameraLost, FrameSet, Synchronizer
from framewise.record.stereo import StereoGeometry
from framewise.record.writer import EpisodeWriter

SESSION_VERSION = 1


@dataclass
class Processed:
    """A frame set with its balls per camera and its stereo observation (if any)."""

    frames: FrameSet
    balls: dict[str, list[Ball]]
    observation: dict[str, Any] | None = None

    @property
    def time(self) -> float:
        """The set's capture time."""
        return self.frames.time


@dataclass
class SessionReport:
    """What a recording session did."""

    folder: Path
    episodes: list[Path] = field(default_factory=list)
    lost: list[CameraLost] = field(default_factory=list)
    frame_sets: int = 0
    observations: int = 0
    rejected_epipolar: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0
    interrupted: bool = False

    def latency_p95_ms(self) -> float | None:
        """95th percentile of capture → 3-D observation latency (live sources only)."""
        return float(np.percentile(self.latencies_ms, 95)) if self.latencies_ms else None


def new_session_folder(output_dir: Path, now: datetime | None = None) -> Path:
    """``output_dir/session-YYYY-MM-DD_NNN``, the next free number."""
    day = (now or datetime.now(UTC)).strftime("%Y-%m-%d")
    number = 1
    while (output_dir / f"session-{day}_{number:03d}").exists():
        number += 1
    return output_dir / f"session-{day}_{number:03d}"


class Recorder:
    """Records a session (see the module docstring).

    Args:
        config: The recording config.
        cameras: Named sources, reference camera first.
        calibration: The pair's calibration; ``None`` records without observations.
        folder: The session folder (default: a new one under ``output_dir``).
        rate: The cameras' nominal frame rate (default: the first camera's).
    """

    def __init__(
        self,
        config: RecordConfig,
        cameras: Sequence[Camera],
        calibration: StereoCalibration | None = None,
        folder: Path | None = None,
        rate: Fraction | None = None,
    ) -> None:
        self.config = config
        self.settings = config.recording
        self.cameras = list(cameras)
        self.names = [c.name for c in self.cameras]
        self.folder = folder or new_session_folder(self.settings.output_dir)
        self.stereo = StereoGeometry(calibration) if calibration else None
        self.calibration = calibration
        nominal = rate or (self.cameras[0].source.frame_rate if self.cameras else None)
        # Live sources have no nominal rate: the caller's, else a camera's usual 30 fps.
        self.rate = Fraction(nominal) if nominal else Fraction(30)
        self.interval = float(1 / self.rate)
        tolerance_ms = config.stereo.pair_tolerance_ms
        self.tolerance = tolerance_ms / 1000 if tolerance_ms else self.interval / 2
        self.detectors: dict[str, BallFinder] = {
            name: make_finder(config.detector, _gates(config, name)) for name in self.names
        }
        self.history: dict[str, deque[tuple[float, float, float, float]]] = {
            name: deque(maxlen=3) for name in self.names
        }
        self.report = SessionReport(self.folder)
        self._pool = ThreadPoolExecutor(max(1, len(self.names)), thread_name_prefix="ball")
        self._finisher = ThreadPoolExecutor(1, thread_name_prefix="episode")
        self._closing: list[Future[Path]] = []
        self._stop_requested = False
        self._episodes = 0
        self._live = list(self.names)

    def _write_calibration(self) -> None:
        roi = {
            name: {
                k: [list(p) for p in v]
                for k, v in self.config.camera(name).roi.model_dump().items()
                if v
            }
            for name in self.names
        }
        zone = self.config.strike_zone.model_dump() if self.config.strike_zone else None
        roi = {k: v for k, v in roi.items() if v}
        if self.calibration is not None:
            write_calibration(self.folder / "calibration", self.calibration, roi or None, zone)

    def _observe(self, frames: FrameSet, balls: dict[str, list[Ball]]) -> dict[str, Any] | None:
        for name, found in balls.items():
            if found:
                frame = frames.frames[name]
                self.history[name].append(
                    (frame.capture, found[0].u, found[0].v, found[0].confidence)
                )
        if self.stereo is None:
            return None
        ref, other = self.stereo.left.name, self.stereo.right.name
        if not balls.get(ref) or ref not in frames.frames:
            return None
        t = frames.frames[ref].capture
        match = self._other_at(other, t)
        if match is None:
            return None
        (u, v, confidence), skew, moved = match
        left_ball = balls[ref][0]
        point = self.stereo.triangulate((left_ball.u, left_ball.v), (u, v))
        if point.epipolar_px > self.config.stereo.max_epipolar_px:
            self.report.rejected_epipolar += 1
            return None
        arrival = frames.frames[ref].frame.arrival
        if arrival is not None:
            self.report.latencies_ms.append(1000 * (time.monotonic() - arrival))
        x, y, z = point.xyz_m
        return {
            "timestamp_ns": round(t * 1e9),
            "left_px": [left_ball.u, left_ball.v],
            "right_px": [u, v],
            "X_m": x,
            "Y_m": y,
            "Z_m": z,
            "quality": point.quality,
            "confidence": min(left_ball.confidence, confidence),
            "epipolar_error_px": point.epipolar_px,
            "reprojection_error_px": point.reprojection_px,
            "pairing_skew_ms": 1000 * skew,
            "interpolated": moved,
        }

    def _other_at(
        self, camera: str, t: float
    ) -> tuple[tuple[float, float, float], float, bool] | None:
        """The other camera's ball at time ``t``: seen then, or moved along its image path."""
        seen = list(self.history[camera])
        if not seen:
            return None
        nearest = min(seen, key=lambda s: abs(s[0] - t))
        skew = abs(nearest[0] - t)
        if skew > self.tolerance + self.interval:
            return None
        if skew < 5e-4 or not self.config.stereo.interpolate or len(seen) < 2:
            return (nearest[1], nearest[2], nearest[3]), skew, False
        a, b = seen[-2], seen[-1]
        span = b[0] - a[0]
        if not 0 < span <= 2.5 * self.interval:
            return (nearest[1], nearest[2], nearest[3]), skew, False
        share = (t - a[0]) / span
        u = a[1] + share * (b[1] - a[1])
        v = a[2] + share * (b[2] - a[2])
        return (u, v, nearest[3]), skew, True

    def _process(self, frames: FrameSet) -> Processed:
        items = list(frames.frames.items())
        # One thread per camera: OpenCV releases the GIL, so two views take the time of one.
        found = self._pool.map(lambda item: self.detectors[item[0]].find(item[1].frame), items)
        balls = dict(zip((name for name, _ in items), found, strict=True))
        processed = Processed(frames, balls)
        processed.observation = self._observe(frames, balls)
        if processed.observation is not None:
            self.report.observations += 1
        return processed

    def _active(self, processed: Processed) -> bool:
        seeing = sum(1 for found in processed.balls.values() if found)
        return seeing >= min(self.settings.active_min_cameras, max(1, len(self._live)))

    def _open(self) -> EpisodeWriter:
        self._episodes += 1
        name = f"{self.folder.name}-{self.settings.episode_name}-{self._episodes:03d}"
        return EpisodeWriter(self.folder / name, self.names, self.settings, name, self.rate)

    def _pre_roll(self, writer: EpisodeWriter, start: float, ring: deque[Processed]) -> None:
        first = start - self.settings.pre_roll_ms / 1000
        for processed in ring:
            if processed.time >= first - 1e-9:
                self._write(writer, processed, pre_roll=processed.time < start - 1e-9)

    def _write(self, writer: EpisodeWriter, processed: Processed, pre_roll: bool = False) -> None:
        for name, frame in processed.frames.frames.items():
            writer.add(frame, processed.balls.get(name, []), pre_roll)
        if processed.observation is not None:
            writer.add_observation(processed.observation, processed.frames.skew)

    def _finish(
        self, writer: EpisodeWriter, closed: Closed, closed_by: str, lost: list[str]
    ) -> None:
        extra = {"cameras_lost": lost, "camera_names": self.names}
        # Finishing takes ~1 s (the last PNGs, the encoders' flush): not on the capture loop.
        self._closing.append(
            self._finisher.submit(writer.close, closed.start, closed.end, closed_by, extra)
        )

    def run(self, progress: Callable[[SessionReport], None] | None = None) -> SessionReport:
        """Record until every camera has ended (or one is lost with ``on_camera_loss: stop``).

        Ctrl+C (SIGINT, when run on the main thread) stops the session between two frame
        sets: an open episode is closed with ``closed_by: stopped``, ``session.json`` is
        written and :attr:`SessionReport.interrupted` is set. A second Ctrl+C raises
        ``KeyboardInterrupt``: the unfinished episode is dropped, finished ones stay.
        """
        began = time.perf_counter()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._sweep()
        self._write_calibration()
        sync = Synchronizer(self.cameras, self.tolerance, self.settings.stall_seconds)
        tracker = EpisodeTracker(
            self.settings.session_min_active_frames, self.settings.session_end_gap_frames
        )
        keep = (
            self.settings.pre_roll_ms / 1000
            + (self.settings.session_min_active_frames + 2) * self.interval
        )
        ring: deque[Processed] = deque()
        writer: EpisodeWriter | None = None
        pending: list[Processed] = []
        tail: tuple[EpisodeWriter, Closed, float] | None = None  # post-roll still to write
        frame_sets = sync.read()
        # Ctrl+C only asks to stop; the loop stops between frame sets, never inside an encoder
        # call (an interrupted x264 flush leaves an unreadable video). A second one raises.
        restore = None
        if threading.current_thread() is threading.main_thread():
            restore = signal.signal(signal.SIGINT, self._on_interrupt)
        try:
            try:
                for item in frame_sets:
                    if self._stop_requested:  # Ctrl+C: close what is open as it stands
                        self.report.interrupted = True
                        break
                    if isinstance(item, CameraLost):
                        self.report.lost.append(item)
                        self._live.remove(item.camera)
                        if tail is not None:
                            self._finish(tail[0], tail[1], "gap", [item.camera])
                            tail = None
                        closed = tracker.close()
                        if writer is not None and closed is not None:
                            for processed in pending:
                                self._write(writer, processed)
                            ended = item.reason == ENDED
                            self._finish(
                                writer,
                                closed,
                                "camera_ended" if ended else "camera_lost",
                                [item.camera],
                            )
                        writer, pending = None, []
                        if self.settings.on_camera_loss == "stop":
                            break
                        continue
                    processed = self._process(item)
                    self.report.frame_sets += 1
                    if tail is not None:
                        if processed.time <= tail[2] + 1e-9:
                            self._write(tail[0], processed)
                        if processed.time >= tail[2] - 1e-9:
                            self._finish(tail[0], tail[1], "gap", [])
                            tail = None
                    event = tracker.update(processed.time, self._active(processed))
                    if isinstance(event, Opened):
                        if tail is not None:  # a new episode cuts the last one's post-roll short
                            self._finish(tail[0], tail[1], "gap", [])
                            tail = None
                        # Held before the pre-roll is written, so a Ctrl+C meanwhile keeps it.
                        writer = self._open()
                        self._pre_roll(writer, event.start, ring)
                        self._write(writer, processed)
                    elif isinstance(event, Closed) and writer is not None:
                        until = event.end + self.settings.post_roll_ms / 1000
                        for held in [*pending, processed]:
                            if held.time <= until + 1e-9:
                                self._write(writer, held)
                        if processed.time >= until - 1e-9:
                            self._finish(writer, event, "gap", [])
                        else:
                            tail = (writer, event, until)
                        writer, pending = None, []
                    elif writer is not None:
                        if self._active(processed):
                            for held in pending:
                                self._write(writer, held)
                            pending = []
                            self._write(writer, processed)
                        else:
                            pending.append(processed)
                    ring.append(processed)
                    while ring and ring[0].time < processed.time - keep:
                        ring.popleft()
                    if progress is not None and self.report.frame_sets % 30 == 0:
                        progress(self.report)
            finally:
                frame_sets.close()
            if tail is not None:
                self._finish(tail[0], tail[1], "gap", [])
                tail = None
            closed = tracker.close()
            if writer is not None and closed is not None:
                for processed in pending:
                    self._write(writer, processed)
                self._finish(
                    writer, closed, "stopped" if self.report.interrupted else "end_of_input", []
                )
                writer = None
        except BaseException:
            for open_writer in (writer, tail[0] if tail else None):
                if open_writer is not None:
                    open_writer.abandon()
            raise
        finally:
            self._pool.shutdown(wait=True)
            self._finisher.shutdown(wait=True)
            for finder in self.detectors.values():
                finder.close()
            if restore is not None:
                signal.signal(signal.SIGINT, restore)
        self.report.episodes = [done.result() for done in self._closing]
        self._sweep()
        self.report.elapsed_s = time.perf_counter() - began
        self._write_summary(sync)
        return self.report

    def _on_interrupt(self, signum: int, frame: FrameType | None) -> None:
        if self._stop_requested:
            raise KeyboardInterrupt
        self._stop_requested = True

    def _sweep(self) -> None:
        """Remove unfinished episode folders: a killed run's, or one Ctrl+C cut while opening."""
        for orphan in self.folder.glob(".*.partial"):
            shutil.rmtree(orphan, ignore_errors=True)

    def _write_summary(self, sync: Synchronizer) -> None:
        skews = sync.skews
        write_json(
            self.folder / "session.json",
            {
                "schema_version": SESSION_VERSION,
                "session": self.folder.name,
                "cameras": {
                    name: {
                        "frames_received": s.received,
                        "frames_missing": s.missing,
                        "frames_paired": s.paired,
                        "frame_retention_pct": s.retention_pct,
                        "lost": s.lost,
                    }
                    for name, s in sync.stats.items()
                },
                "pairing_tolerance_ms": 1000 * self.tolerance,
                "pairing_skew_ms": {
                    "mean": 1000 * float(np.mean(skews)) if skews else 0.0,
                    "max": 1000 * float(np.max(skews)) if skews else 0.0,
                },
                "frame_sets": self.report.frame_sets,
                "stereo_observations": self.report.observations,
                "rejected_by_epipolar_check": self.report.rejected_epipolar,
                "episodes": [p.name for p in self.report.episodes],
                "cameras_lost": [
                    {"camera": lost.camera, "at_seconds": lost.at, "reason": lost.reason}
                    for lost in self.report.lost
                ],
                "config": self.config.model_dump(mode="json"),
            },
        )


def _gates(config: RecordConfig, name: str) -> list[list[tuple[float, float]]]:
    # The camera's lane polygon; without one the ``ball`` kind keeps its config's ``roi``.
    lane = config.camera(name).roi.lane_gate_polygon
    return [lane] if lane else []
