"""Applies a :class:`~framewise.synth.degrade.Degradation` to the frames of a render.

Per frame this costs a few milliseconds at 720p: the colour change is one lookup table,
grain is one of a dozen noise fields made up front (added to the luma plane only, as film
grain filters do), the webcam and chat are drawn into small regions, and motion blur is one
1-D filter over the game world before the UI is drawn.

Example:
    >>> from framewise.synth.degrade import parse_degradation
    >>> d = Degrader(parse_degradation("downscale=360"), seed=1, width=1280, height=720)
    >>> d.output_size, d.finish(np.zeros((720, 1280, 3), np.uint8), 0.0).shape
    ((640, 360), (540, 640))
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import cv2
import numpy as np

from framewise.core.frames import Image
from framewise.synth.degrade import Degradation
from framewise.synth.layout import Element
from framewise.synth.text import Box

_GRAIN_FIELDS = 12
_CHAT_SECONDS = 2.5
_CHAT_WORDS = (
    "gg", "lol", "nice shot", "is that customs?", "go left", "W", "KEKW", "rip", "loot it",
    "what ammo", "check the stash", "extract!", "he's behind you", "pog", "ez", "scav run?",
    "labs when", "nice", "headshot", "no way", "clip it", "how much was that",
)  # fmt: skip
_NAMES = ("zer0", "pmc_andy", "bearbro", "usec42", "tarkovdad", "nikita", "scavking", "mooni")


class Degrader:
    """Degrades one session's frames (seeded; frames may come at any rate, in order).

    Args:
        degradation: What to do.
        seed: Seed of the random choices (gamma, colours, grain, chat, webcam).
        width: Width the game is drawn at.
        height: Height the game is drawn at.
    """

    def __init__(self, degradation: Degradation, seed: int, width: int, height: int) -> None:
        self.degradation = degradation
        self.width, self.height = width, height
        self.output_size = degradation.output_size(width, height)
        self._rng = random.Random(seed * 7919 + 17)
        self._lut = self._colour_table()
        self._grain = self._grain_fields(seed)
        self._blur_phase = self._rng.uniform(0, 2 * math.pi)
        self._webcam = self._webcam_room() if "webcam" in degradation.overlays else None
        self._chat = self._chat_lines() if "chat" in degradation.overlays else []

    @property
    def ui_scale(self) -> float:
        """The UI's scale, for the painter."""
        return self.degradation.ui_scale

    def _colour_table(self) -> np.ndarray | None:
        d = self.degradation
        gamma = d.gamma if d.gamma is not None else self._rng.choice((0.75, 1.35))
        if gamma == 1.0 and not d.colour:
            return None
        levels = np.arange(256, dtype=np.float64) / 255.0
        channels = []
        for _ in range(3):
            gain = 1.0 + self._rng.uniform(-d.colour, d.colour)
            offset = self._rng.uniform(-d.colour, d.colour) * 0.3
            channels.append(np.clip((levels**gamma) * gain + offset, 0, 1) * 255)
        return np.stack(channels, axis=1).round().astype(np.uint8).reshape(256, 1, 3)

    def _grain_fields(self, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
        sigma = self.degradation.grain
        if not sigma:
            return []
        rng = np.random.default_rng(seed)
        out_w, out_h = self.output_size
        fields = []
        for _ in range(_GRAIN_FIELDS):
            noise = rng.normal(0.0, sigma, (out_h, out_w)).astype(np.float32)
            # Film grain is a little clumped, not per-pixel white noise.
            noise = cv2.GaussianBlur(noise, (0, 0), 0.6) * 1.3
            noise = np.clip(noise, -127, 127)
            fields.append(
                (np.clip(noise, 0, None).astype(np.uint8), (-noise).clip(0).astype(np.uint8))
            )
        return fields

    def blur_world(self, image: Image, seconds: float) -> None:
        """Motion-blur the game world in place (before the HUD is drawn on it)."""
        if not self.degradation.blur:
            return
        # The camera turns in bursts: the blur length swings between a third and all of it.
        swing = 0.5 + 0.5 * math.sin(seconds * 1.7 + self._blur_phase) ** 2
        length = round(self.degradation.blur * self.height / 720.0 * (0.33 + 0.67 * swing))
        if length < 2:
            return
        kernel = np.full((1, length), 1.0 / length, dtype=np.float32)
        cv2.filter2D(image, -1, kernel, dst=image, borderType=cv2.BORDER_REPLICATE)

    def scale_elements(self, elements: list[Element]) -> list[Element]:
        """The labelled elements in the video's pixels (unchanged without a downscale)."""
        out_w, out_h = self.output_size
        if (out_w, out_h) == (self.width, self.height):
            return elements
        sx, sy = out_w / self.width, out_h / self.height

        def scaled(box: Box) -> Box:
            x1, y1, x2, y2 = box
            return (round(x1 * sx), round(y1 * sy), round(x2 * sx), round(y2 * sy))

        return [
            replace(e, box=scaled(e.box), lines=tuple((t, scaled(b)) for t, b in e.lines))
            for e in elements
        ]

    def finish(self, image: Image, seconds: float, index: int = 0) -> np.ndarray:
        """Colour, overlays, downscale and grain: the frame's I420 planes for the encoder."""
        if self._lut is not None:
            cv2.LUT(image, self._lut, dst=image)
        if self._webcam is not None:
            self._draw_webcam(image, seconds)
        if self._chat:
            self._draw_chat(image, seconds)
        out_w, out_h = self.output_size
        if (out_w, out_h) != (self.width, self.height):
            image = np.asarray(
                cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_AREA), dtype=np.uint8
            )
        planes = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), dtype=np.uint8)
        if self._grain:
            plus, minus = self._grain[(index * 7) % len(self._grain)]
            luma = planes[:out_h]
            cv2.add(luma, plus, dst=luma)
            cv2.subtract(luma, minus, dst=luma)
        return planes

    def _webcam_rect(self) -> Box:
        w = round(self.width * 0.2)
        h = round(w * 9 / 16)
        x1 = round(self.width * 0.015)
        y2 = round(self.height * 0.98)
        return (x1, y2 - h, x1 + w, y2)

    def _webcam_room(self) -> np.ndarray:
        x1, y1, x2, y2 = self._webcam_rect()
        room = np.empty((y2 - y1, x2 - x1, 3), dtype=np.uint8)
        top = np.array([self._rng.randrange(40, 140) for _ in range(3)], dtype=np.float64)
        for row in range(room.shape[0]):
            room[row] = (top * (1.0 - 0.5 * row / room.shape[0])).astype(np.uint8)
        for _ in range(6):  # shelves, a poster, a lamp
            a = (self._rng.randrange(room.shape[1]), self._rng.randrange(room.shape[0]))
            b = (a[0] + self._rng.randrange(10, 80), a[1] + self._rng.randrange(5, 40))
            colour = tuple(self._rng.randrange(30, 220) for _ in range(3))
            cv2.rectangle(room, a, b, colour, -1)
        return room

    def _draw_webcam(self, image: Image, seconds: float) -> None:
        assert self._webcam is not None
        x1, y1, x2, y2 = self._webcam_rect()
        region = image[y1:y2, x1:x2]
        region[:] = self._webcam
        w, h = x2 - x1, y2 - y1
        cx = round(w * (0.5 + 0.08 * math.sin(seconds * 0.9)))
        cy = round(h * (0.55 + 0.04 * math.sin(seconds * 1.3)))
        cv2.ellipse(region, (cx, cy + h // 2), (w // 5, h // 3), 0, 0, 360, (60, 60, 70), -1)
        cv2.ellipse(region, (cx, cy), (w // 9, h // 5), 0, 0, 360, (120, 150, 200), -1)
        cv2.rectangle(region, (0, 0), (w - 1, h - 1), (200, 200, 200), max(1, h // 60))

    def _chat_lines(self) -> list[tuple[str, str, tuple[int, int, int]]]:
        lines = []
        rng = self._rng
        for _ in range(400):  # 400 × 2.5 s: messages for 16 minutes, then they repeat
            colour = (rng.randrange(90, 256), rng.randrange(90, 256), rng.randrange(90, 256))
            lines.append((rng.choice(_NAMES), rng.choice(_CHAT_WORDS), colour))
        return lines

    def _draw_chat(self, image: Image, seconds: float) -> None:
        # Left, above the webcam: the game's labelled UI (HUD, kill feed, panels) stays clear.
        x1, y1 = round(self.width * 0.01), round(self.height * 0.20)
        x2, y2 = round(self.width * 0.20), round(self.height * 0.74)
        region = image[y1:y2, x1:x2]
        cv2.convertScaleAbs(region, dst=region, alpha=0.45)
        scale = self.height / 1080.0 * 0.8
        step = max(8, round(self.height * 0.032))
        newest = int(seconds / _CHAT_SECONDS)
        y = y2 - y1 - step // 3
        for k in range(newest, max(-1, newest - (y2 - y1) // step), -1):
            name, text, colour = self._chat[k % len(self._chat)]
            org = (round(step * 0.3), y)
            cv2.putText(region, f"{name}:", org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1)
            width = cv2.getTextSize(f"{name}: ", cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][0]
            org = (org[0] + width, y)
            cv2.putText(region, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (235, 235, 235), 1)
            y -= step
