"""Paints the frames of synthetic clips straight into yuv420p planes.

Everything random is rendered once: a textured backdrop larger than the picture (panned
like a camera, so the encoder finds motion it can predict), a few grain tiles (cycled, so
every frame carries fresh-looking noise it cannot), and colour fields. A frame is then a
window into the backdrop plus a grain tile, some moving shapes, large digits and the
binary stamp that ``clips.read_stamp`` decodes.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

Plane = NDArray[np.uint8]

STAMP_BITS = 24
"""Bits per stamp row: frame numbers and milliseconds up to 16.7 million (4.6 h)."""

_BLOCKS_ACROSS = 48  # the stamp spans half the picture width
_GRAIN_TILES = 3
_BIT_LUMA = (32, 224)  # far from the 128 threshold, in video range
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def stamp_block(width: int) -> int:
    """Side in pixels of one stamp bit in a picture ``width`` wide (even, at least 4)."""
    return max(4, (width // _BLOCKS_ACROSS) // 2 * 2)


class Painter:
    """Renders frame ``index`` at ``seconds`` as one ``(height * 3 // 2, width)`` yuv420p array.

    Args:
        width: Picture width (even).
        height: Picture height (even).
        noise: 0 (flat) to 1 (heavy texture and grain).
        seed: Seed of the random textures.
    """

    def __init__(self, width: int, height: int, *, noise: float, seed: int = 0) -> None:
        self.width, self.height = width, height
        rng = np.random.default_rng(seed)
        self.margin = max(8, width // 10) // 2 * 2
        pad = 2 * self.margin
        detail = 70.0 * noise
        cell = max(8, width // 60)
        self._backdrop = _blobs(rng, height + pad, width + pad, 40.0, 200.0 - detail, cell)
        if detail:
            fine = rng.integers(0, int(detail) + 1, size=self._backdrop.shape, dtype=np.uint8)
            cv2.add(self._backdrop, fine, dst=self._backdrop)
        amp = round(20 * noise)
        self._grain = [
            rng.integers(0, amp + 1, size=(height, width), dtype=np.uint8)
            for _ in range(_GRAIN_TILES if amp else 0)
        ]
        half = (height + pad) // 2, (width + pad) // 2
        self._u = _blobs(rng, *half, 96.0, 160.0, 2 * cell)
        self._v = _blobs(rng, *half, 96.0, 160.0, 2 * cell)
        self._buffer = np.empty((height * 3 // 2, width), dtype=np.uint8)

    def paint(self, index: int, seconds: float) -> Plane:
        """The frame's planes (Y on top, then U, then V); reused by the next call."""
        w, h = self.width, self.height
        y = self._buffer[:h]
        u = self._buffer[h : h + h // 4].reshape(h // 2, w // 2)
        v = self._buffer[h + h // 4 :].reshape(h // 2, w // 2)
        ox, oy = self._pan(seconds)
        window = self._backdrop[oy : oy + h, ox : ox + w]
        if self._grain:
            cv2.add(window, self._grain[index % len(self._grain)], dst=y)
        else:
            np.copyto(y, window)
        np.copyto(u, self._u[oy // 2 : oy // 2 + h // 2, ox // 2 : ox // 2 + w // 2])
        np.copyto(v, self._v[oy // 2 : oy // 2 + h // 2, ox // 2 : ox // 2 + w // 2])
        self._shapes(y, u, v, seconds)
        self._digits(y, index, seconds)
        self._stamp(y, u, v, index, round(seconds * 1000))
        return self._buffer

    def _pan(self, seconds: float) -> tuple[int, int]:
        """A slow, smooth camera pan within the backdrop's margin (even offsets for chroma)."""
        m = self.margin
        ox = m + m * math.sin(2 * math.pi * seconds / 7.0)
        oy = m + m * 0.6 * math.sin(2 * math.pi * seconds / 5.0 + 1.0)
        return int(ox) // 2 * 2, int(oy) // 2 * 2

    def _shapes(self, y: Plane, u: Plane, v: Plane, seconds: float) -> None:
        """A bright disc, a dark box and a ring moving on different paths, in colour."""
        w, h = self.width, self.height
        t = 2 * math.pi * seconds
        disc = (
            int(w * (0.5 + 0.38 * math.sin(t / 3.1))),
            int(h * (0.55 + 0.3 * math.sin(t / 2.3))),
        )
        box = (int(w * (0.5 + 0.4 * math.cos(t / 4.3))), int(h * (0.6 + 0.25 * math.sin(t / 1.7))))
        ring = (int(w * (0.3 + 0.2 * math.sin(t / 1.3))), int(h * (0.7 + 0.2 * math.cos(t / 2.9))))
        r = max(3, h // 10)
        # Each shape has one level per plane: Y, then U and V at half resolution.
        for plane, scale, (disc_c, box_c, ring_c) in (
            (y, 1, (220, 30, 180)),
            (u, 2, (70, 150, 200)),
            (v, 2, (190, 110, 60)),
        ):
            radius = r // scale
            cv2.circle(plane, (disc[0] // scale, disc[1] // scale), radius, (disc_c,), -1)
            corner = (box[0] // scale - radius, box[1] // scale - radius)
            far = (box[0] // scale + radius, box[1] // scale + radius // 2)
            cv2.rectangle(plane, corner, far, (box_c,), -1)
            centre = (ring[0] // scale, ring[1] // scale)
            cv2.circle(plane, centre, radius, (ring_c,), max(1, radius // 4))

    def _digits(self, y: Plane, index: int, seconds: float) -> None:
        """Frame number and time in large digits under the stamp, outlined to stay legible."""
        scale = max(0.3, self.height / 12 / 22)
        thick = max(1, int(scale * 2))
        org = (stamp_block(self.width), 2 * stamp_block(self.width) + int(26 * scale))
        text = f"#{index} {seconds:.3f}s"
        outline = thick + 2 * max(1, thick // 2)
        cv2.putText(y, text, org, _FONT, scale, (16,), outline, cv2.LINE_AA)
        cv2.putText(y, text, org, _FONT, scale, (235,), thick, cv2.LINE_AA)

    def _stamp(self, y: Plane, u: Plane, v: Plane, index: int, millis: int) -> None:
        """Two rows of bits in the top-left corner: frame number, then milliseconds."""
        b = stamp_block(self.width)
        u[:b, : STAMP_BITS * b // 2] = 128  # neutral colour, so BGR reads as grey
        v[:b, : STAMP_BITS * b // 2] = 128
        for row, value in enumerate((index, millis)):
            bits = [(value >> (STAMP_BITS - 1 - j)) & 1 for j in range(STAMP_BITS)]
            levels = np.repeat(np.take(_BIT_LUMA, bits).astype(np.uint8), b)
            y[row * b : (row + 1) * b, : STAMP_BITS * b] = levels


def _blobs(
    rng: np.random.Generator, height: int, width: int, low: float, high: float, cell: int
) -> Plane:
    """Smooth random shapes: coarse noise, enlarged with cubic interpolation, in [low, high]."""
    coarse = rng.random((max(2, height // cell + 2), max(2, width // cell + 2)), dtype=np.float32)
    smooth = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    smooth = np.clip(smooth, 0.0, 1.0)
    return (low + (high - low) * smooth).astype(np.uint8)
