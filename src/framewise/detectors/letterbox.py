"""Letterbox: fit a picture into a model's input without changing its aspect ratio.

The picture is scaled by one factor so that it fits the target, centred, and the rest is
padded with grey 114 (Ultralytics' convention, so exported models see what they saw in
training). :class:`Letterbox` remembers the scale and offsets so that boxes predicted on the
model's input map back to source pixels.

Example:
    >>> import numpy as np
    >>> geometry = Letterbox.fit(height=720, width=1280, target=(640, 640))
    >>> (geometry.top, geometry.left, geometry.inner_height, geometry.inner_width)
    (140, 0, 360, 640)
    >>> geometry.to_source(np.array([[0, 140, 640, 500]], np.float32)).tolist()
    [[0.0, 0.0, 1280.0, 720.0]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from framewise.core.frames import Image

PAD_VALUE = 114
"""Grey level of the padding, as in Ultralytics' training and export."""


@dataclass(frozen=True, slots=True)
class Letterbox:
    """Where a source picture lands inside a model input.

    Attributes:
        source_height: Height of the source picture in pixels.
        source_width: Width of the source picture in pixels.
        target_height: Height of the model input in pixels.
        target_width: Width of the model input in pixels.
        inner_height: Height of the scaled picture inside the input.
        inner_width: Width of the scaled picture inside the input.
        top: Rows of padding above the picture.
        left: Columns of padding left of the picture.
    """

    source_height: int
    source_width: int
    target_height: int
    target_width: int
    inner_height: int
    inner_width: int
    top: int
    left: int

    @classmethod
    def fit(cls, height: int, width: int, target: tuple[int, int]) -> Letterbox:
        """Place a ``height`` × ``width`` picture in a ``target`` (height, width) input.

        The picture is scaled up or down by ``min(target_h / h, target_w / w)`` and centred;
        where the padding is odd, the extra row or column goes below or right, as in
        Ultralytics' ``LetterBox``.
        """
        if height < 1 or width < 1:
            raise ValueError(f"cannot letterbox an empty picture ({width}x{height})")
        target_height, target_width = target
        scale = min(target_height / height, target_width / width)
        inner_width = min(target_width, max(1, round(width * scale)))
        inner_height = min(target_height, max(1, round(height * scale)))
        return cls(
            source_height=height,
            source_width=width,
            target_height=target_height,
            target_width=target_width,
            inner_height=inner_height,
            inner_width=inner_width,
            top=(target_height - inner_height) // 2,
            left=(target_width - inner_width) // 2,
        )

    def to_source(self, xyxy: NDArray[np.float32]) -> NDArray[np.float32]:
        """Map N×4 ``xyxy`` boxes from model-input pixels to source pixels, clipped to the picture.

        Each axis uses its own exact scale (the rounded inner size over the source size), so
        a box that covers the whole inner picture maps to the whole source picture.
        """
        boxes = np.asarray(xyxy, dtype=np.float32).reshape(-1, 4).copy()
        scale_x = self.inner_width / self.source_width
        scale_y = self.inner_height / self.source_height
        boxes[:, 0::2] = (boxes[:, 0::2] - self.left) / scale_x
        boxes[:, 1::2] = (boxes[:, 1::2] - self.top) / scale_y
        np.clip(boxes[:, 0::2], 0, self.source_width, out=boxes[:, 0::2])
        np.clip(boxes[:, 1::2], 0, self.source_height, out=boxes[:, 1::2])
        return boxes

    def resize(self, image: Image) -> Image:
        """Scale ``image`` (the source picture) to the inner size, bilinear like Ultralytics."""
        if image.shape[:2] != (self.source_height, self.source_width):
            raise ValueError(
                f"picture is {image.shape[1]}x{image.shape[0]}, the letterbox was fitted "
                f"for {self.source_width}x{self.source_height}"
            )
        if (self.inner_height, self.inner_width) == (self.source_height, self.source_width):
            return image
        size = (self.inner_width, self.inner_height)
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)

    def write_input(self, image: Image, out: NDArray[np.float32] | NDArray[np.float16]) -> None:
        """Write ``image`` (BGR, H×W×3 uint8) letterboxed into ``out`` (3×H×W, RGB, 0–1).

        Writing straight into the caller's batch tensor, and converting only the inner
        picture (the padding is a constant fill), halves the cost of building a blob.
        """
        inner = self.resize(image)
        bottom, right = self.top + self.inner_height, self.left + self.inner_width
        pad = out.dtype.type(PAD_VALUE / 255)
        out[:, : self.top].fill(pad)
        out[:, bottom:].fill(pad)
        out[:, self.top : bottom, : self.left].fill(pad)
        out[:, self.top : bottom, right:].fill(pad)
        # BGR HWC → RGB CHW as a view; the multiply does the one copy and the dtype conversion.
        chw = inner.transpose(2, 0, 1)[::-1]
        np.multiply(
            chw,
            out.dtype.type(1 / 255),
            out=out[:, self.top : bottom, self.left : right],
            casting="unsafe",
        )


def letterbox(image: Image, target: tuple[int, int]) -> tuple[Image, Letterbox]:
    """Letterbox ``image`` into a ``target`` (height, width) uint8 picture padded with grey 114.

    Returns:
        The letterboxed BGR picture and the geometry to map boxes back.
    """
    geometry = Letterbox.fit(int(image.shape[0]), int(image.shape[1]), target)
    canvas = np.full((*target, 3), PAD_VALUE, dtype=np.uint8)
    top, left = geometry.top, geometry.left
    canvas[top : top + geometry.inner_height, left : left + geometry.inner_width] = geometry.resize(
        image
    )
    return canvas, geometry


def rect_shape(height: int, width: int, size: tuple[int, int], stride: int) -> tuple[int, int]:
    """Smallest stride-aligned input that holds a picture letterboxed to fit in ``size``.

    Models with dynamic height and width need not be fed a square: a 1280×720 picture fitted
    in 640×640 becomes 640×360, which a stride-32 model can take as 640×384 (40 % fewer
    pixels than 640×640). This is Ultralytics' ``auto`` letterbox.
    """
    geometry = Letterbox.fit(height, width, size)
    return (
        min(size[0], align(geometry.inner_height, stride)),
        min(size[1], align(geometry.inner_width, stride)),
    )


def align(value: int, stride: int) -> int:
    """Round ``value`` up to a multiple of ``stride``."""
    return int(math.ceil(value / stride) * stride)
