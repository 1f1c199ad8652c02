"""Stage 3, scale: letterbox every clip to ``target`` pixels on its longer side.

Each frame is resized with bilinear interpolation so its longer side is ``target`` (up or
down, aspect ratio kept), then centred on a black ``target × target`` square, streamed frame
by frame into an MP4 (``method: autoencoder`` passes each frame through the user's VAE
too, :mod:`framewise.pipeline.stages.vae`). Rows record the original and scaled sizes and the flags
``is_upscaled`` (the longer side was below ``target``) and ``is_downscaled`` (above it).

Example:
    >>> letterbox_size(1920, 1080, 256)
    (256, 144)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from framewise.pipeline.stages.base import Row, RowContext
from framewise.pipeline.stages.params import ScaleParams
from framewise.pipeline.stages.video_io import RGB, Mp4Writer, iter_frames, video_rate

if TYPE_CHECKING:
    from framewise.pipeline.stages.vae import VaeReconstructor


def letterbox_size(width: int, height: int, target: int) -> tuple[int, int]:
    """The picture's size inside the square: longer side ``target``, aspect ratio kept."""
    factor = target / max(width, height)
    return max(1, round(width * factor)), max(1, round(height * factor))


def letterbox(rgb: RGB, target: int) -> RGB:
    """``rgb`` resized (bilinear) and centred on a black ``target × target`` square."""
    height, width = rgb.shape[:2]
    new_w, new_h = letterbox_size(width, height, target)
    resized = cv2.resize(rgb, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    canvas = np.zeros((target, target, 3), dtype=np.uint8)
    top, left = (target - new_h) // 2, (target - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = resized
    return canvas


class ScaleStage:
    """Stage 3 (see the module docstring)."""

    def __init__(self, params: ScaleParams) -> None:
        self.params = params
        self._vae: VaeReconstructor | None = None
        if params.method == "autoencoder" and params.vae is not None:
            from framewise.pipeline.stages.vae import VaeReconstructor

            self._vae = VaeReconstructor(params.vae, params.vae_device, params.vae_batch)

    def source_rows(self) -> Sequence[Row] | None:
        """It reads its input stage's table."""
        return None

    def run_row(self, row: Mapping[str, Any], ctx: RowContext) -> list[Row]:
        """Write the scaled clip of one row."""
        source = ctx.resolve(str(row["path"]))
        target = ctx.output_path(".mp4")
        size: tuple[int, int] | None = None

        def boxed() -> Iterator[RGB]:
            nonlocal size
            for _, rgb in iter_frames(source):
                size = size or (rgb.shape[1], rgb.shape[0])
                yield letterbox(rgb, self.params.target)

        frames = boxed() if self._vae is None else self._vae.reconstruct(boxed())
        with Mp4Writer(target, video_rate(source), self.params.crf) as writer:
            for frame in frames:
                writer.write(frame)
        width, height = size or (0, 0)
        longer = max(width, height)
        return [
            {
                "path": ctx.relative(target),
                "unscaled_path": str(row["path"]),
                "original_width": width,
                "original_height": height,
                "scaled_size": self.params.target,
                "scale_method": self.params.method,
                "is_upscaled": longer < self.params.target,
                "is_downscaled": longer > self.params.target,
            }
        ]
