"""Stage 1, augment: seeded spatial and temporal augmentations of whole clips, streamed.

Each input video gives ``count`` copies (and itself, with ``keep_original``). Copy ``i``
takes the augmentation ``kinds[(start + i) % len(kinds)]`` (``start`` drawn from the row's
seed) and draws its parameters once from ``default_rng([seed, i])``, so every frame of the
clip gets the same transform and a rerun anywhere writes the same clip. Spatial transforms
come from torchvision ``transforms.v2.functional`` (noise is NumPy: torchvision's draws from
torch's global generator). Temporal ones act on the frame stream: ``frame_drop`` drops every
k-th frame, ``frame_duplicate`` shows every k-th twice, ``reverse`` spools to disk and plays
backwards. Rows record the augmentation, its parameters (JSON) and the original.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torchvision.transforms.v2.functional as tvf

from framewise.core.errors import InputError
from framewise.pipeline.stages.base import Row, RowContext
from framewise.pipeline.stages.params import AugmentParams
from framewise.pipeline.stages.video_io import (
    RGB,
    Mp4Writer,
    iter_frames,
    reversed_frames,
    video_rate,
)

TEMPORAL = frozenset({"frame_drop", "frame_duplicate", "reverse"})


def draw_params(kind: str, rng: np.random.Generator, size: tuple[int, int]) -> dict[str, Any]:
    """The parameters of one augmentation, drawn once per clip (``size`` is ``(w, h)``)."""
    width, height = size

    def uniform(low: float, high: float) -> float:
        return round(float(rng.uniform(low, high)), 4)

    draws: dict[str, Callable[[], dict[str, Any]]] = {
        "rotation": lambda: {"angle": uniform(-15, 15)},
        "flip": lambda: {"horizontal": True},
        "brightness": lambda: {"factor": uniform(0.6, 1.4)},
        "contrast": lambda: {"factor": uniform(0.6, 1.4)},
        "saturation": lambda: {"factor": uniform(0.4, 1.6)},
        "noise": lambda: {"sigma": uniform(4, 12), "seed": int(rng.integers(2**31))},
        "blur": lambda: {"kernel": int(rng.choice([3, 5, 7])), "sigma": uniform(0.6, 2.0)},
        "affine": lambda: {
            "angle": uniform(-10, 10),
            "translate": [
                int(rng.integers(-width // 12, width // 12 + 1)),
                int(rng.integers(-height // 12, height // 12 + 1)),
            ],
            "scale": uniform(0.9, 1.1),
            "shear": uniform(-8, 8),
        },
        "cutout": lambda: {
            "w": int(width * uniform(0.1, 0.25)),
            "h": int(height * uniform(0.1, 0.25)),
            "x": int(rng.integers(0, max(1, width - width // 4))),
            "y": int(rng.integers(0, max(1, height - height // 4))),
        },
        "frame_drop": lambda: {"every": int(rng.integers(2, 5))},
        "frame_duplicate": lambda: {"every": int(rng.integers(2, 5))},
        "reverse": lambda: {},
    }
    return draws[kind]()


def spatial(kind: str, params: Mapping[str, Any]) -> Callable[[RGB, int], RGB]:
    """The per-frame function of a spatial augmentation (identity for temporal ones)."""

    def through_torch(op: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[RGB, int], RGB]:
        def apply(rgb: RGB, index: int) -> RGB:
            tensor = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)
            out: RGB = op(tensor).permute(1, 2, 0).contiguous().numpy()
            return out

        return apply

    def noise(rgb: RGB, index: int) -> RGB:
        rng = np.random.default_rng([int(params["seed"]), index])
        noisy = rgb.astype(np.float32) + rng.normal(0, params["sigma"], rgb.shape)
        out: RGB = np.clip(noisy, 0, 255).astype(np.uint8)
        return out

    ops: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
        "rotation": lambda t: tvf.rotate(t, params.get("angle", 0.0)),
        "flip": tvf.horizontal_flip,
        "brightness": lambda t: tvf.adjust_brightness(t, params.get("factor", 1.0)),
        "contrast": lambda t: tvf.adjust_contrast(t, params.get("factor", 1.0)),
        "saturation": lambda t: tvf.adjust_saturation(t, params.get("factor", 1.0)),
        "blur": lambda t: tvf.gaussian_blur(
            t, [params.get("kernel", 3)] * 2, [params.get("sigma", 1.0)] * 2
        ),
        "affine": lambda t: tvf.affine(
            t,
            angle=params.get("angle", 0.0),
            translate=list(params.get("translate", [0, 0])),
            scale=params.get("scale", 1.0),
            shear=[params.get("shear", 0.0)],
        ),
        "cutout": lambda t: tvf.erase(
            t,
            params.get("y", 0),
            params.get("x", 0),
            params.get("h", 1),
            params.get("w", 1),
            torch.zeros(1, dtype=t.dtype),
        ),
    }
    if kind == "noise":
        return noise
    if kind in ops:
        return through_torch(ops[kind])
    return lambda rgb, index: rgb


def temporal(
    kind: str, params: Mapping[str, Any], frames: Iterable[RGB], spool: Path
) -> Iterator[RGB]:
    """The frame stream after a temporal augmentation (unchanged for spatial ones)."""
    if kind == "reverse":
        yield from reversed_frames(frames, spool)
        return
    every = int(params.get("every", 0))
    for index, frame in enumerate(frames):
        last = every and index % every == every - 1
        if not (kind == "frame_drop" and last):
            yield frame
        if kind == "frame_duplicate" and last:
            yield frame


class AugmentStage:
    """The augment stage (see the module docstring)."""

    def __init__(self, params: AugmentParams) -> None:
        self.params = params

    def source_rows(self) -> Sequence[Row] | None:
        """It reads its input stage's table."""
        return None

    def run_row(self, row: Mapping[str, Any], ctx: RowContext) -> list[Row]:
        """Write the copies of one video."""
        if row.get("readable") is False:
            raise InputError(f"not readable at index ({row.get('problem')})", subject=ctx.key)
        source = ctx.resolve(str(row["path"]))
        size = (int(row["width"]), int(row["height"]))
        rows: list[Row] = []
        if self.params.keep_original:
            rows.append(self._row(ctx, f"{ctx.key}#orig", row["path"], "none", {}))
        kinds = self.params.kinds
        start = int(np.random.default_rng(ctx.seed).integers(len(kinds)))
        fps = video_rate(source)
        for copy in range(self.params.count):
            kind = kinds[(start + copy) % len(kinds)]
            drawn = draw_params(kind, np.random.default_rng([ctx.seed, copy]), size)
            target = ctx.output_path(".mp4", f"-aug{copy}")
            per_frame = spatial(kind, drawn)
            frames = (
                per_frame(rgb, i)
                for i, (_, rgb) in enumerate(iter_frames(source, self.params.max_seconds))
            )
            with Mp4Writer(target, fps, self.params.crf) as writer:
                for frame in temporal(kind, drawn, frames, ctx.folder):
                    writer.write(frame)
            rows.append(self._row(ctx, f"{ctx.key}#aug{copy}", ctx.relative(target), kind, drawn))
        return rows

    @staticmethod
    def _row(ctx: RowContext, key: str, path: Any, kind: str, drawn: Mapping[str, Any]) -> Row:
        return {
            "key": key,
            "path": str(path),
            "augmentation": kind,
            "aug_params": json.dumps(drawn, sort_keys=True),
            "original": ctx.key,
        }
