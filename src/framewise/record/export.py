"""Recorded sessions → a YOLO dataset of key frames, and trajectories → Parquet.

YOLO: every key frame PNG of every episode (``frames/{camera}/*.png``) becomes an image;
its label file holds the ``ball`` boxes that camera detected on that very frame (matched
by the episode frame number the key frame's name carries: ``pre_roll_00001`` is frame 1,
``pitch_00031_first`` frame 31, ``uniform_00045`` frame 45, ``post_roll_last`` the camera's
last). Boxes are centre ± radius, normalised. Episodes are split train/val by episode, never
by frame (every ``val_every``-th episode to val), so one flight never lands on both sides.

Parquet: one row per stereo observation (session, episode, timestamp, X/Y/Z in metres,
pixels, quality, skew), written atomically.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2

from framewise.core.atomic import atomic_output, write_text
from framewise.core.errors import ConfigError, InputError, OutputError

_NUMBERED = re.compile(r"^(?:pre_roll|pitch|uniform|[a-z_]+)_(\d{5})(?:_(?:first|last))?$")


@dataclass
class ExportReport:
    """What an export wrote."""

    images: dict[str, int] = field(default_factory=lambda: {"train": 0, "val": 0})
    boxes: dict[str, int] = field(default_factory=lambda: {"train": 0, "val": 0})
    episodes: int = 0
    rows: int = 0


def _episodes(sessions: list[Path]) -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for session in sessions:
        if not session.is_dir():
            raise InputError(
                "no such session folder",
                subject=session,
                hint="give folders `framewise record` wrote",
            )
        for folder in sorted(p for p in session.iterdir() if p.is_dir()):
            manifest = folder / "manifest.json"
            if manifest.is_file():
                out.append((folder, json.loads(manifest.read_text(encoding="utf-8"))))
    if not out:
        raise InputError(
            "no episodes (folders with manifest.json) found",
            subject=", ".join(map(str, sessions)),
            hint="record a session first, or check `framewise verify-session`",
        )
    return out


def _frame_number(stem: str, last: int) -> int | None:
    if stem == "post_roll_last":
        return last
    match = _NUMBERED.match(stem)
    return int(match[1]) if match else None


def export_yolo(
    sessions: list[Path], out: Path, *, val_every: int = 5, overwrite: bool = False
) -> ExportReport:
    """Write ``out/images/{train,val}``, ``out/labels/{train,val}`` and ``out/data.yaml``.

    Raises:
        ConfigError: ``out`` holds a dataset and ``overwrite`` is off, or ``val_every`` < 2.
        InputError: No episodes in ``sessions``.
    """
    if val_every < 2:
        raise ConfigError(f"--val-every must be at least 2, got {val_every}")
    if (out / "data.yaml").exists():
        if not overwrite:
            raise ConfigError(
                "a dataset is already there", subject=out, hint="pass --overwrite or another --out"
            )
        for part in ("images", "labels"):
            shutil.rmtree(out / part, ignore_errors=True)
    report = ExportReport()
    for number, (folder, manifest) in enumerate(_episodes(sessions)):
        report.episodes += 1
        split = "val" if number % val_every == val_every - 1 else "train"
        for camera, info in manifest.get("cameras", {}).items():
            detections_path = folder / "detections" / f"{camera}_detections.json"
            by_frame: dict[int, list[dict[str, Any]]] = {}
            if detections_path.is_file():
                for det in json.loads(detections_path.read_text(encoding="utf-8"))["detections"]:
                    by_frame.setdefault(int(det.get("episode_frame", -1)), []).append(det)
            for png in sorted((folder / "frames" / camera).glob("*.png")):
                frame = _frame_number(png.stem, int(info.get("frames", 0)))
                image = cv2.imread(str(png), cv2.IMREAD_UNCHANGED)
                if frame is None or image is None:
                    continue
                height, width = image.shape[:2]
                name = f"{folder.name}_{camera}_{png.stem}"
                target = out / "images" / split / f"{name}.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(png, target)
                lines = []
                for det in by_frame.get(frame, []):
                    r = float(det["radius_px"])
                    lines.append(
                        f"0 {det['u_px'] / width:.6f} {det['v_px'] / height:.6f} "
                        f"{2 * r / width:.6f} {2 * r / height:.6f}"
                    )
                write_text(
                    out / "labels" / split / f"{name}.txt", "".join(f"{line}\n" for line in lines)
                )
                report.images[split] += 1
                report.boxes[split] += len(lines)
    write_text(
        out / "data.yaml",
        f"path: {out.resolve()}\ntrain: images/train\nval: images/val\nnames:\n  0: ball\n",
    )
    return report


def _pyarrow() -> tuple[ModuleType, ModuleType]:
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ConfigError(
            "the Parquet export needs pyarrow, which is not installed",
            hint="pip install 'framewise[tables]'",
        ) from None


def export_trajectories(sessions: list[Path], out: Path) -> ExportReport:
    """Write every stereo observation of ``sessions`` as one Parquet table at ``out``."""
    pa, pq = _pyarrow()
    columns: dict[str, list[Any]] = {
        k: []
        for k in (
            "session", "episode", "timestamp_ns", "X_m", "Y_m", "Z_m", "left_u_px", "left_v_px",
            "right_u_px", "right_v_px", "quality", "confidence", "pairing_skew_ms", "interpolated",
        )
    }  # fmt: skip
    report = ExportReport()
    for folder, _manifest in _episodes(sessions):
        report.episodes += 1
        path = folder / "observations" / "stereo_observations.json"
        if not path.is_file():
            continue
        for obs in json.loads(path.read_text(encoding="utf-8"))["observations"]:
            columns["session"].append(folder.parent.name)
            columns["episode"].append(folder.name)
            for key in ("timestamp_ns", "X_m", "Y_m", "Z_m", "quality", "confidence"):
                columns[key].append(obs[key])
            columns["left_u_px"].append(obs["left_px"][0])
            columns["left_v_px"].append(obs["left_px"][1])
            columns["right_u_px"].append(obs["right_px"][0])
            columns["right_v_px"].append(obs["right_px"][1])
            columns["pairing_skew_ms"].append(obs.get("pairing_skew_ms", 0.0))
            columns["interpolated"].append(bool(obs.get("interpolated", False)))
            report.rows += 1
    table = pa.table(columns)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(out) as partial:
            pq.write_table(table, str(partial))
    except OSError as exc:
        raise OutputError(f"cannot write the table ({exc.strerror})", subject=out) from None
    return report
