"""Layout helpers shared by the screens: units, text lines, panels and labelled elements."""

from __future__ import annotations

from dataclasses import dataclass, field

from framewise.core.frames import Image
from framewise.synth.script import FieldValue, Look
from framewise.synth.text import Box, Color, TextCache, blit, clip_box, outline, scaled, shade

WHITE: Color = (235, 235, 235)
GREY: Color = (150, 150, 150)
DIM: Color = (95, 95, 95)
GOLD: Color = (90, 200, 230)
GREEN: Color = (110, 210, 120)
RED: Color = (70, 70, 225)
ORANGE: Color = (60, 160, 240)
ACCENT: Color = (120, 190, 205)


@dataclass(frozen=True)
class Element:
    r"""One labelled UI element drawn in a frame.

    Attributes:
        key: Stable id of the element across frames (same key, same text and fields).
        cls: Its detection class.
        box: ``(x1, y1, x2, y2)`` in pixels, clipped to the picture.
        text: The text drawn inside the box, lines top to bottom joined by ``\\n``.
        fields: The values the element shows (``weapon``, ``map_name``, ...).
        lines: Each line of ``text`` with the box its sprite was drawn in (for OCR crops of
            single lines); empty where the drawing did not say.
    """

    key: str
    cls: str
    box: Box
    text: str
    fields: dict[str, FieldValue] = field(default_factory=dict)
    lines: tuple[tuple[str, Box], ...] = ()


@dataclass(frozen=True)
class Line:
    """A line of text to lay out: its string, font size in units, colour."""

    text: str
    size: float
    color: Color = WHITE


class Canvas:
    """A frame being drawn, with the current visit's look (offset, scale, brightness).

    ``ui_scale`` is the game's UI scale setting (``--degrade ui-scale=F``): it multiplies
    every size drawn.
    """

    def __init__(self, image: Image, texts: TextCache, look: Look, ui_scale: float = 1.0) -> None:
        self.image = image
        self.texts = texts
        self.look = look
        self.ui_scale = ui_scale
        self.height, self.width = image.shape[:2]
        # The player's UI scale setting sizes every element (and so every labelled box).
        self.unit = self.height / 720.0 * look.scale * ui_scale
        # Every line drawn in this frame and its box: elements look their lines up here.
        self.drawn: list[tuple[str, Box]] = []

    def px(self, units: float) -> int:
        """``units`` (pixels at 720p, before the visit's scale) in this picture's pixels."""
        return max(1, round(float(units * self.unit)))

    def at(self, fx: float, fy: float) -> tuple[int, int]:
        """The point at fractions of the picture, moved by the visit's offset."""
        return (
            round(self.width * (fx + self.look.dx)),
            round(self.height * (fy + self.look.dy)),
        )

    def color(self, color: Color) -> Color:
        """``color`` at the visit's brightness."""
        return scaled(color, self.look.brightness)

    def clip(self, box: Box) -> Box:
        """``box`` limited to the picture."""
        return clip_box(box, self.width, self.height)

    def text(self, text: str, size: float, x: int, y: int, color: Color, anchor: str = "l") -> Box:
        """Draw ``text`` with its top at ``y``, anchored at ``x`` left, centre or right.

        ``anchor`` is ``l`` (text starts at ``x``), ``c`` (centred on it) or ``r`` (ends there).
        """
        sprite = self.texts.sprite(text, self.px(size))
        if anchor == "c":
            x -= sprite.width // 2
        elif anchor == "r":
            x -= sprite.width
        box = blit(self.image, sprite, x, y, self.color(color))
        self.drawn.append((text, box))
        return box

    def measure(self, text: str, size: float) -> tuple[int, int]:
        """Width and height of ``text`` at ``size``."""
        sprite = self.texts.sprite(text, self.px(size))
        return sprite.width, sprite.height

    def panel(
        self,
        lines: list[Line],
        centre: tuple[int, int],
        *,
        pad: float = 18.0,
        gap: float = 8.0,
        darkness: float = 0.3,
        border: Color | None = None,
        min_width: float = 0.0,
    ) -> Box:
        """A shaded panel with ``lines`` centred in it around ``centre``; returns its box."""
        sizes = [self.measure(line.text, line.size) for line in lines]
        pad_px, gap_px = self.px(pad), self.px(gap)
        inner_w = max([self.px(min_width)] + [w for w, _ in sizes])
        inner_h = sum(h for _, h in sizes) + gap_px * (len(lines) - 1)
        x1 = centre[0] - inner_w // 2 - pad_px
        y1 = centre[1] - inner_h // 2 - pad_px
        box = self.clip((x1, y1, x1 + inner_w + 2 * pad_px, y1 + inner_h + 2 * pad_px))
        shade(self.image, box, darkness)
        if border is not None:
            outline(self.image, box, self.color(border), max(1, self.px(1.5)))
        y = y1 + pad_px
        for line, (_, h) in zip(lines, sizes, strict=True):
            self.text(line.text, line.size, centre[0], y, line.color, anchor="c")
            y += h + gap_px
        return box

    def element(
        self, key: str, cls: str, box: Box, lines: list[Line], **fields: FieldValue
    ) -> Element:
        """The labelled element for a box holding ``lines`` (already drawn inside it)."""
        box = self.clip(box)
        text = "\n".join(x.text for x in lines)
        return Element(key, cls, box, text, dict(fields), self.line_boxes(box, lines))

    def line_boxes(self, box: Box, lines: list[Line]) -> tuple[tuple[str, Box], ...]:
        """Where each of ``lines`` was drawn inside ``box`` (the latest drawing of its text).

        The same string can be drawn elsewhere in the frame (a map's name in the list and in
        the chosen map's panel), so only drawings centred inside ``box`` count.
        """
        found = []
        for line in lines:
            for text, (x1, y1, x2, y2) in reversed(self.drawn):
                cx, cy = (x1 + x2) // 2, (y1 + y2) // 2
                if text == line.text and box[0] <= cx < box[2] and box[1] <= cy < box[3]:
                    found.append((text, (x1, y1, x2, y2)))
                    break
        return tuple(found)
