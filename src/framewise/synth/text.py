"""Text and panels drawn onto BGR pictures: cached glyph sprites, blended in place.

Text is rendered once per (string, size) with Pillow's built-in Aileron face (a clean
sans-serif shipped inside Pillow, CC0) into an 8-bit coverage mask; drawing is then an
alpha blend of that mask over a small region, so a frame's text costs microseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from framewise.core.errors import ConfigError
from framewise.core.frames import Image

Mask = NDArray[np.uint8]
Box = tuple[int, int, int, int]
Color = tuple[int, int, int]


def _font(size: int) -> Any:
    try:
        from PIL import ImageFont
    except ImportError:
        raise ConfigError(
            "Pillow is not installed; synthetic sessions draw their text with it",
            subject="framewise synth",
            hint="install framewise with the detect extra: pip install 'framewise[detect]'",
        ) from None
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Sprite:
    """A rendered line of text: its coverage mask (0-255)."""

    mask: Mask

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.mask.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.mask.shape[0])


class TextCache:
    """Renders and remembers text sprites (one per string and pixel size)."""

    def __init__(self) -> None:
        self._fonts: dict[int, Any] = {}
        self._sprites: dict[tuple[str, int], Sprite] = {}
        self._pictures: dict[str, Image] = {}

    def picture(self, key: str, make: Callable[[], Image]) -> Image:
        """A pre-drawn picture (e.g. a stash grid), made by ``make`` on first use."""
        found = self._pictures.get(key)
        if found is None:
            if len(self._pictures) > 64:
                self._pictures.clear()
            found = self._pictures[key] = make()
        return found

    def sprite(self, text: str, size: int) -> Sprite:
        """The sprite of ``text`` at a font size of ``size`` pixels (tight around the ink)."""
        key = (text, size)
        found = self._sprites.get(key)
        if found is not None:
            return found
        from PIL import Image as PilImage
        from PIL import ImageDraw

        font = self._fonts.get(size)
        if font is None:
            font = self._fonts[size] = _font(size)
        # Size the canvas by the font's full ascent/descent so every line of one size has
        # the same height and the baseline sits at the same place.
        ascent, descent = font.getmetrics()
        width = max(1, int(font.getlength(text)) + 2)
        canvas = PilImage.new("L", (width, ascent + descent + 2), 0)
        ImageDraw.Draw(canvas).text((1, 1), text, fill=255, font=font)
        mask = np.asarray(canvas, dtype=np.uint8).copy()
        if len(self._sprites) > 4096:  # timers make new strings every second; stay bounded
            self._sprites.clear()
        sprite = self._sprites[key] = Sprite(mask)
        return sprite


def clip_box(box: Box, width: int, height: int) -> Box:
    """``box`` limited to a ``width`` × ``height`` picture."""
    x1, y1, x2, y2 = box
    return max(0, x1), max(0, y1), min(width, x2), min(height, y2)


def blit(image: Image, sprite: Sprite, x: int, y: int, color: Color) -> Box:
    """Blend ``sprite`` in ``color`` onto ``image`` with its top-left at (x, y).

    Returns:
        The box covered, clipped to the picture.
    """
    height, width = image.shape[:2]
    x1, y1, x2, y2 = clip_box((x, y, x + sprite.width, y + sprite.height), width, height)
    if x2 <= x1 or y2 <= y1:
        return x1, y1, x1, y1
    mask = sprite.mask[y1 - y : y2 - y, x1 - x : x2 - x]
    region = image[y1:y2, x1:x2]
    alpha = mask.astype(np.uint16)[:, :, None]
    ink = np.array(color, dtype=np.uint16)
    blended = (region.astype(np.uint16) * (255 - alpha) + ink * alpha + 127) // 255
    region[...] = blended.astype(np.uint8)
    return x1, y1, x2, y2


def shade(image: Image, box: Box, factor: float, tint: Color = (0, 0, 0)) -> None:
    """Darken ``box`` to ``factor`` of its brightness and add ``tint`` (a UI panel)."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = clip_box(box, width, height)
    if x2 <= x1 or y2 <= y1:
        return
    region = image[y1:y2, x1:x2]
    cv2.convertScaleAbs(region, dst=region, alpha=factor)
    if any(tint):
        cv2.add(region, np.array((*tint, 0), dtype=np.float64), dst=region)


def outline(image: Image, box: Box, color: Color, thickness: int = 1) -> None:
    """A rectangle's border (a highlighted card, a panel's frame)."""
    x1, y1, x2, y2 = box
    cv2.rectangle(image, (x1, y1), (x2 - 1, y2 - 1), color, thickness, cv2.LINE_8)


def scaled(color: Color, brightness: float) -> Color:
    """``color`` dimmed to ``brightness`` (0-1)."""
    b, g, r = color
    return round(b * brightness), round(g * brightness), round(r * brightness)
