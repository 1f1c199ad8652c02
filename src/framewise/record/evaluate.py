"""Score a recorded session against a synthetic rig's ``truth.json``.

Three figures: **3-D RMSE** — each stereo observation against the true ball position at its
timestamp (the truth's 1 ms path, interpolated), in metres; **detection recall** per
camera — true ball frames inside recorded episodes with a detection within ``match_px``
pixels at the same time (and precision: detections with no true ball within one frame);
**episode timing error** — each true pitch matched to the recorded episode overlapping it,
start and end differences in milliseconds (a missed pitch counts as missed).

The truth file is plain JSON (``framewise synth-stereo`` writes it); nothing here imports
the renderer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from framewise.core.errors import InputError
from framewise.core.jsonfile import read_json

TRUTH_HINT = "give the truth.json that `framewise synth-stereo` wrote beside the videos"


@dataclass
class RecordScore:
    """The evaluation's figures."""

    rmse_m: float | None = None
    median_error_m: float | None = None
    p95_error_m: float | None = None
    observations: int = 0
    recall: dict[str, float] = field(default_factory=dict)
    precision: dict[str, float] = field(default_factory=dict)
    start_error_ms: list[float] = field(default_factory=list)
    end_error_ms: list[float] = field(default_factory=list)
    pitches: int = 0
    episodes: int = 0
    matched: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures (``--json``)."""

        def mean_abs(values: list[float]) -> float | None:
            return float(np.mean(np.abs(values))) if values else None

        return {
            "rmse_3d_m": self.rmse_m,
            "median_error_3d_m": self.median_error_m,
            "p95_error_3d_m": self.p95_error_m,
            "observations": self.observations,
            "detection_recall": self.recall,
            "detection_precision": self.precision,
            "pitches": self.pitches,
            "episodes": self.episodes,
            "pitches_recorded": self.matched,
            "start_error_ms_mean_abs": mean_abs(self.start_error_ms),
            "end_error_ms_mean_abs": mean_abs(self.end_error_ms),
            "start_error_ms": self.start_error_ms,
            "end_error_ms": self.end_error_ms,
        }


def _episodes(session: Path) -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for folder in sorted(p for p in session.iterdir() if p.is_dir()):
        manifest = folder / "manifest.json"
        if manifest.is_file():
            out.append((folder, json.loads(manifest.read_text(encoding="utf-8"))))
    return out


def _path(pitch: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    samples = np.asarray(pitch["path"], np.float64)
    return samples[:, 0], samples[:, 1:4]


def evaluate(session: Path, truth_path: Path, match_px: float = 3.0) -> RecordScore:
    """Score ``session`` against ``truth_path`` (see the module docstring).

    Raises:
        InputNotFoundError: The truth file or the session is missing.
        InputError: The truth file is not a rig's truth.
    """
    truth = read_json(truth_path, what="truth file", hint=TRUTH_HINT)
    if not session.is_dir():
        raise InputError(
            "no such session folder", subject=session, hint="give a folder `framewise record` wrote"
        )
    try:
        pitches = list(truth["episodes"])
        frames_truth: dict[str, list[dict[str, Any]]] = dict(truth["frames"])
        interval = 1.0 / float(truth["fps"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"not a stereo rig's truth ({exc})", subject=truth_path, hint=TRUTH_HINT
        ) from None
    score = RecordScore(pitches=len(pitches))
    episodes = _episodes(session)
    score.episodes = len(episodes)
    errors: list[float] = []
    spans: list[tuple[float, float]] = []
    detections: dict[str, list[tuple[float, float, float]]] = {}
    for folder, manifest in episodes:
        start, end = float(manifest["start_seconds"]), float(manifest["end_seconds"])
        cams = manifest.get("cameras", {})
        first = min(
            (c["first_frame_ns"] for c in cams.values() if c.get("first_frame_ns") is not None),
            default=round(start * 1e9),
        )
        last = max(
            (c["last_frame_ns"] for c in cams.values() if c.get("last_frame_ns") is not None),
            default=round(end * 1e9),
        )
        spans.append((first / 1e9, last / 1e9))
        overlapping = [
            p
            for p in pitches
            if p["start_seconds"] <= end + interval and p["end_seconds"] >= start - interval
        ]
        observations = folder / "observations" / "stereo_observations.json"
        if observations.is_file():
            for obs in json.loads(observations.read_text(encoding="utf-8"))["observations"]:
                t = obs["timestamp_ns"] / 1e9
                pitch = next(
                    (p for p in overlapping if p["start_seconds"] <= t <= p["end_seconds"]), None
                )
                if pitch is None:
                    continue
                times, points = _path(pitch)
                true = np.array([np.interp(t, times, points[:, i]) for i in range(3)])
                errors.append(
                    float(np.linalg.norm(np.array([obs["X_m"], obs["Y_m"], obs["Z_m"]]) - true))
                )
        for det_file in (folder / "detections").glob("*_detections.json"):
            data = json.loads(det_file.read_text(encoding="utf-8"))
            detections.setdefault(str(data["camera"]), []).extend(
                (d["timestamp_ns"] / 1e9, d["u_px"], d["v_px"]) for d in data["detections"]
            )
    for pitch in pitches:
        found = [
            (f, m)
            for f, m in episodes
            if float(m["start_seconds"]) <= pitch["end_seconds"]
            and float(m["end_seconds"]) >= pitch["start_seconds"]
        ]
        if found:
            manifest = found[0][1]
            score.matched += 1
            score.start_error_ms.append(
                1000 * (float(manifest["start_seconds"]) - pitch["start_seconds"])
            )
            score.end_error_ms.append(
                1000 * (float(manifest["end_seconds"]) - pitch["end_seconds"])
            )
    score.observations = len(errors)
    if errors:
        values = np.asarray(errors)
        score.rmse_m = float(math.sqrt(float(np.mean(values**2))))
        score.median_error_m = float(np.median(values))
        score.p95_error_m = float(np.percentile(values, 95))
    for camera, true_frames in frames_truth.items():
        seen = detections.get(camera, [])
        times = np.array([d[0] for d in seen]) if seen else np.zeros(0)
        hits = 0
        for f in true_frames:
            t = float(f["seconds"])
            near = [int(i) for i in np.flatnonzero(np.abs(times - t) < interval / 4)]
            if any(math.hypot(seen[i][1] - f["u"], seen[i][2] - f["v"]) <= match_px for i in near):
                hits += 1
        score.recall[camera] = hits / len(true_frames) if true_frames else 1.0
        true_times = np.array([float(f["seconds"]) for f in true_frames])
        good = sum(
            1
            for d in seen
            if len(true_times) and float(np.min(np.abs(true_times - d[0]))) <= interval * 1.01
        )
        score.precision[camera] = good / len(seen) if seen else 1.0
    return score
