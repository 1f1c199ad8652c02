"""A small honest real-vs-manipulated video set, built from real videos by a recorded recipe.

Every clip (original or not) is cut from a real video, scaled to ``max_side`` and encoded
once by the same encoder, so "was it re-encoded by us" tells nothing. Each original gets
one manipulated twin, cycling through three real manipulations:

* ``paste``: a region of another video's clip pasted in and blended (feathered alpha mask
  of a Gaussian-blurred rectangle), the same box on every frame;
* ``reencode``: the clip encoded once more at a much lower quality (double compression);
* ``frame_rate``: the clip resampled to another frame rate (nearest frame in time) and
  written at that rate.

``labels.csv`` has ``path,label,group,manipulation,params``; the group is the source video,
so its segments and their twins always share a fold. ``recipe.json`` records every choice.

Example:
    >>> build_set(Path("../shared/data/real"), Path("w4-set"), segments=1)  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from framewise.core.atomic import write_json, write_text
from framewise.core.errors import InputError
from framewise.pipeline.stages.video_io import RGB, Mp4Writer, iter_frames, video_rate
from framewise.sources.directory import list_videos
from framewise.sources.probe import probe

MANIPULATIONS = ("paste", "reencode", "frame_rate")
BASE_CRF = 20
LOW_CRF = 40


@dataclass(frozen=True)
class Segment:
    """One cut of a source video."""

    source: Path
    start: float
    seconds: float
    max_side: int


def _scaled(rgb: RGB, max_side: int) -> RGB:
    height, width = rgb.shape[:2]
    factor = min(1.0, max_side / max(width, height))
    size = (max(2, round(width * factor)) & ~1, max(2, round(height * factor)) & ~1)
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA).astype(np.uint8, copy=False)


def segment_frames(segment: Segment) -> Iterator[tuple[float, RGB]]:
    """``(seconds from the cut's start, frame)`` of a segment, scaled, streamed."""
    end = segment.start + segment.seconds
    for seconds, rgb in iter_frames(segment.source, end):
        if seconds >= segment.start:
            yield seconds - segment.start, _scaled(rgb, segment.max_side)


def _write(path: Path, frames: Iterator[RGB], fps: Fraction, crf: int = BASE_CRF) -> int:
    with Mp4Writer(path, fps, crf) as writer:
        for rgb in frames:
            writer.write(rgb)
        return writer.frames


def _mask(shape: tuple[int, int], box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    mask = np.zeros(shape, np.float32)
    mask[y : y + h, x : x + w] = 1.0
    feather = max(3, (min(w, h) // 4) | 1)
    return cv2.GaussianBlur(mask, (feather, feather), 0)[..., None]


def paste(
    segment: Segment, donor: Segment, rng: np.random.Generator
) -> tuple[Iterator[RGB], dict[str, Any]]:
    """Frames of ``segment`` with a blended region of ``donor`` (the same box throughout)."""
    first = next(segment_frames(segment))[1]
    height, width = first.shape[:2]
    w, h = int(width * rng.uniform(0.25, 0.4)), int(height * rng.uniform(0.25, 0.4))
    x, y = int(rng.integers(0, width - w)), int(rng.integers(0, height - h))
    params = {"donor": donor.source.name, "donor_start": donor.start, "box": [x, y, w, h]}
    mask = _mask((height, width), (x, y, w, h))

    def frames() -> Iterator[RGB]:
        donors = (rgb for _, rgb in segment_frames(donor))
        last: RGB | None = None
        for _, rgb in segment_frames(segment):
            patch = next(donors, last)
            last = patch
            if patch is None:
                yield rgb
                continue
            fitted = cv2.resize(patch, (width, height), interpolation=cv2.INTER_AREA)
            blended = rgb * (1 - mask) + fitted * mask
            yield np.clip(blended, 0, 255).astype(np.uint8)

    return frames(), params


def resample(segment: Segment, target: Fraction) -> Iterator[RGB]:
    """The segment's frames at ``target`` fps: at each new tick, the latest frame before it."""
    tick = 0
    previous: RGB | None = None
    for seconds, rgb in segment_frames(segment):
        while previous is not None and tick / target < seconds:
            yield previous
            tick += 1
        previous = rgb
    while previous is not None and tick / target < segment.seconds:
        yield previous
        tick += 1


def _long_enough(path: Path, seconds: float) -> bool:
    try:
        return probe(path).duration_seconds >= seconds
    except InputError:
        return False  # an unreadable file is no source of clips


def build_set(
    real: Path,
    out: Path,
    *,
    seconds: float = 2.0,
    segments: int = 2,
    max_side: int = 240,
    seed: int = 0,
) -> Path:
    """Write originals and manipulated twins under ``out``; returns ``labels.csv``."""
    sources = [p for p in list_videos(real, recursive=True) if _long_enough(p, seconds)]
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    cuts = []
    for source in sources:
        duration = probe(source).duration_seconds
        for j in range(segments):
            start = round((duration - seconds) * j / max(1, segments), 3)
            cuts.append(Segment(source, start, seconds, max_side))
    for n, cut in enumerate(cuts):
        stem = f"{cut.source.parent.name}_{cut.source.stem}_s{n}"
        fps = video_rate(cut.source)
        original = out / "real" / f"{stem}.mp4"
        _write(original, (rgb for _, rgb in segment_frames(cut)), fps)
        group = f"{cut.source.parent.name}/{cut.source.name}"
        rows.append(
            {
                "path": f"real/{stem}.mp4",
                "label": "real",
                "group": group,
                "manipulation": "none",
                "params": "{}",
            }
        )
        kind = MANIPULATIONS[n % len(MANIPULATIONS)]
        fake = out / "fake" / f"{stem}_{kind}.mp4"
        params: dict[str, Any]
        if kind == "paste":
            donor = cuts[(n + 1 + int(rng.integers(len(cuts) - 1))) % len(cuts)]
            frames, params = paste(cut, donor, rng)
            _write(fake, frames, fps)
        elif kind == "reencode":
            params = {"crf": LOW_CRF}
            _write(fake, (rgb for _, rgb in iter_frames(original)), fps, LOW_CRF)
        else:
            target = Fraction(int(rng.choice([10, 15, 20])))
            target = target if target != fps else Fraction(12)
            params = {"from_fps": float(fps), "to_fps": float(target)}
            _write(fake, resample(cut, target), target)
        rows.append(
            {
                "path": f"fake/{stem}_{kind}.mp4",
                "label": "fake",
                "group": group,
                "manipulation": kind,
                "params": json.dumps(params, sort_keys=True),
            }
        )
    text = io.StringIO()
    writer = csv.DictWriter(text, ["path", "label", "group", "manipulation", "params"])
    writer.writeheader()
    writer.writerows(rows)
    labels = out / "labels.csv"
    write_text(labels, text.getvalue())
    write_json(
        out / "recipe.json",
        {
            "seconds": seconds,
            "segments": segments,
            "max_side": max_side,
            "seed": seed,
            "base_crf": BASE_CRF,
            "clips": rows,
        },
    )
    return labels
