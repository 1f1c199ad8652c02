"""Moving backgrounds, rendered once and then windowed: the raid's world and the menus'.

A raid's world is a panorama three pictures wide: a sky with clouds, a skyline of buildings
and trees, and a textured ground drawn in perspective (it compresses towards the horizon and
its tracks converge on a vanishing point). Turning the camera is a shift of the window (a
pure yaw is exactly that for a cylindrical panorama), walking adds a bob, film grain cycles
through a few tiles, and a weapon sways in the corner. So each frame costs a window copy, a
saturated add and a small blend, and the encoder sees motion it can predict plus noise it
cannot, as in real footage.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from framewise.core.frames import Image

_GRAIN_TILES = 4
_PANORAMA_WIDTHS = 3

# Sky top, sky horizon, ground near, ground far, building tone (BGR) per map.
_PALETTES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "Customs": ((150, 120, 90), (190, 180, 170), (60, 80, 85), (110, 125, 130), (70, 75, 80)),
    "Woods": ((140, 130, 100), (170, 180, 170), (40, 75, 50), (80, 110, 95), (40, 60, 45)),
    "Shoreline": ((170, 130, 80), (210, 200, 180), (80, 110, 120), (150, 160, 170), (90, 90, 95)),
    "Interchange": ((120, 110, 100), (170, 165, 160), (70, 70, 75), (120, 120, 125), (85, 80, 90)),
    "Reserve": ((130, 120, 110), (180, 175, 170), (55, 70, 70), (100, 115, 115), (65, 70, 60)),
    "Lighthouse": ((180, 140, 90), (215, 205, 190), (70, 100, 110), (140, 150, 160), (95, 95, 90)),
    "Streets of Tarkov": (
        (110, 105, 100),
        (160, 160, 160),
        (60, 62, 66),
        (110, 112, 118),
        (75, 75, 85),
    ),
    "Factory": ((50, 55, 60), (80, 85, 90), (40, 45, 50), (70, 75, 80), (30, 35, 40)),
    "Ground Zero": ((140, 125, 105), (185, 180, 175), (65, 70, 75), (115, 120, 125), (80, 80, 90)),
    "The Lab": ((70, 70, 60), (120, 120, 110), (80, 85, 80), (130, 135, 130), (50, 55, 55)),
}


def _noise(rng: np.random.Generator, height: int, width: int, cell: int) -> NDArray[np.float32]:
    """Smooth noise in [0, 1]: coarse random values enlarged with cubic interpolation."""
    coarse = rng.random((max(2, height // cell + 2), max(2, width // cell + 2)), dtype=np.float32)
    smooth = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(smooth, 0.0, 1.0)


def _gradient(top: tuple[int, ...], bottom: tuple[int, ...], height: int) -> NDArray[np.float32]:
    """A vertical colour ramp, ``height`` × 1 × 3."""
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    a = np.array(top, dtype=np.float32)[None, None, :]
    b = np.array(bottom, dtype=np.float32)[None, None, :]
    ramp_rgb: NDArray[np.float32] = a + (b - a) * ramp
    return ramp_rgb


class RaidScene:
    """A map's world, seen through a moving camera.

    Args:
        map_name: Picks the palette (unknown names get Customs').
        width: Picture width.
        height: Picture height.
        seed: Seed of the textures.
    """

    def __init__(self, map_name: str, width: int, height: int, seed: int) -> None:
        self.width, self.height = width, height
        rng = np.random.default_rng(seed)
        palette = _PALETTES.get(map_name, _PALETTES["Customs"])
        self.margin = max(8, height // 12)
        pano_w, pano_h = _PANORAMA_WIDTHS * width, height + 2 * self.margin
        self._panorama = self._world(rng, pano_w, pano_h, palette)
        amp = 10
        self._grain = [
            rng.integers(0, amp, size=(height, width, 1), dtype=np.uint8).repeat(3, axis=2)
            for _ in range(_GRAIN_TILES)
        ]
        self._weapon, self._weapon_mask = self._weapon_sprite(rng, width, height)
        self._phase = float(rng.uniform(0, 100))

    def _world(
        self, rng: np.random.Generator, w: int, h: int, palette: tuple[tuple[int, int, int], ...]
    ) -> Image:
        sky_top, sky_low, ground_near, ground_far, building = palette
        horizon = int(h * 0.48)
        world = np.empty((h, w, 3), dtype=np.float32)
        world[:horizon] = _gradient(sky_top, sky_low, horizon)
        clouds = _noise(rng, horizon, w, max(16, w // 40)) ** 2
        world[:horizon] += 60.0 * clouds[:, :, None]
        # Ground in perspective: texture sampled in ground coordinates so rows near the
        # horizon hold far-away (compressed) texture and rows near the bottom close-up texture.
        rows = h - horizon
        depth = 1.0 / (np.arange(1, rows + 1, dtype=np.float32) / rows)  # far at the horizon
        tex_h = 512
        texture = _noise(rng, tex_h, w, 6) * 0.6 + _noise(rng, tex_h, w, 40) * 0.4
        v = np.clip((depth - 1.0) * 6.0, 0, tex_h - 1)
        centre = w / 2
        xs = np.arange(w, dtype=np.float32)
        map_x = ((xs[None, :] - centre) * (depth[:, None] / depth.max() + 0.15) + centre) % w
        map_y = np.repeat(v[:, None], w, axis=1).astype(np.float32)
        ground_tex = cv2.remap(texture, map_x.astype(np.float32), map_y, cv2.INTER_LINEAR)
        world[horizon:] = _gradient(ground_far, ground_near, rows)
        world[horizon:] *= (0.65 + 0.7 * ground_tex)[:, :, None]
        self._tracks(world, horizon, w, h)
        self._skyline(rng, world, horizon, w, building)
        fine = rng.normal(0.0, 9.0, size=(h, w, 1)).astype(np.float32)
        world += fine
        return np.clip(world, 0, 255).astype(np.uint8)

    @staticmethod
    def _tracks(world: NDArray[np.float32], horizon: int, w: int, h: int) -> None:
        """Road edges converging on vanishing points along the horizon (depth cues)."""
        for vx in range(w // 6, w, w // 3):
            for spread in (-0.9, -0.35, 0.35, 0.9):
                end = (int(vx + spread * w / 4), h)
                cv2.line(world, (vx, horizon), end, (45.0, 50.0, 55.0), max(1, h // 180))

    @staticmethod
    def _skyline(
        rng: np.random.Generator,
        world: NDArray[np.float32],
        horizon: int,
        w: int,
        tone: tuple[int, int, int],
    ) -> None:
        """Buildings with lit windows and pointed trees standing on the horizon."""
        x = 0
        h = world.shape[0]
        while x < w:
            wide = int(rng.integers(w // 60, w // 18))
            tall = int(rng.integers(h // 14, h // 3))
            shade = float(rng.uniform(0.6, 1.2))
            color = tuple(float(c) * shade for c in tone)
            if rng.random() < 0.45:
                peak = (x + wide // 2, horizon - tall)
                pts = np.array([[x, horizon + 4], peak, [x + wide, horizon + 4]], dtype=np.int32)
                cv2.fillPoly(world, [pts], (color[0] * 0.6, color[1] * 0.9, color[2] * 0.6))
            else:
                cv2.rectangle(world, (x, horizon - tall), (x + wide, horizon + 4), color, -1)
                # A lit side face gives the box some volume.
                side = max(2, wide // 5)
                lit = tuple(c * 1.25 for c in color)
                cv2.rectangle(
                    world, (x + wide - side, horizon - tall), (x + wide, horizon + 4), lit, -1
                )
                step = max(4, wide // 6)
                for wy in range(horizon - tall + step, horizon - step, step * 2):
                    for wx in range(x + step // 2, x + wide - side - step // 2, step):
                        if rng.random() < 0.5:
                            glow = float(rng.uniform(90, 200))
                            cv2.rectangle(
                                world,
                                (wx, wy),
                                (wx + step // 2, wy + step // 2),
                                (glow * 0.7, glow, glow),
                                -1,
                            )
            x += wide + int(rng.integers(0, w // 40))

    @staticmethod
    def _weapon_sprite(
        rng: np.random.Generator, width: int, height: int
    ) -> tuple[Image, NDArray[np.bool_]]:
        """A dark first-person weapon silhouette (receiver, barrel, magazine) with some texture."""
        sw, sh = width // 3, height // 3
        sprite = np.zeros((sh, sw, 3), dtype=np.uint8)
        mask = np.zeros((sh, sw), dtype=np.uint8)
        body = np.array(
            [
                [sw, sh],
                [int(sw * 0.25), int(sh * 0.45)],
                [int(sw * 0.1), int(sh * 0.38)],
                [int(sw * 0.12), int(sh * 0.3)],
                [int(sw * 0.35), int(sh * 0.32)],
                [sw, int(sh * 0.55)],
            ],
            dtype=np.int32,
        )
        mag = np.array(
            [
                [int(sw * 0.45), int(sh * 0.5)],
                [int(sw * 0.55), int(sh * 0.55)],
                [int(sw * 0.5), int(sh * 0.95)],
                [int(sw * 0.4), int(sh * 0.9)],
            ],
            dtype=np.int32,
        )
        for poly in (body, mag):
            cv2.fillPoly(mask, [poly], (255,))
        texture = (_noise(rng, sh, sw, 8) * 30 + 25).astype(np.uint8)
        sprite[:] = texture[:, :, None]
        return sprite, mask > 0

    def paint(self, out: Image, index: int, seconds: float, weapon: bool = True) -> None:
        """Draw the view at ``seconds`` into ``out`` (``height`` × ``width`` × 3)."""
        w, h, m = self.width, self.height, self.margin
        t = seconds + self._phase
        # Yaw: slow sweeps plus quicker looks around, kept inside the panorama.
        span = (_PANORAMA_WIDTHS - 1) * w
        yaw = 0.5 + 0.38 * math.sin(t / 9.0) + 0.1 * math.sin(t / 2.3 + 1.0)
        ox = int(span * min(1.0, max(0.0, yaw)))
        bob = math.sin(t * 2 * math.pi / 0.9)
        oy = int(m + 0.8 * m * bob * abs(math.sin(t / 5.0)))
        window = self._panorama[oy : oy + h, ox : ox + w]
        cv2.add(window, self._grain[index % _GRAIN_TILES], dst=out)
        if not weapon:
            return
        sh, sw = self._weapon_mask.shape
        x = w - sw - int(w * 0.02) + int(w * 0.01 * math.sin(t * 1.3))
        y = h - sh + int(h * 0.03) + int(h * 0.012 * bob)
        y = min(y, h - sh)
        region = out[y : y + sh, x : x + sw]
        region[self._weapon_mask] = self._weapon[self._weapon_mask]


class MenuBackdrop:
    """The menus' dark, faintly textured backdrop with a slow drift and grain."""

    def __init__(self, width: int, height: int, seed: int) -> None:
        self.width, self.height = width, height
        rng = np.random.default_rng(seed)
        self.margin = max(8, width // 20)
        h, w = height + 2 * self.margin, width + 2 * self.margin
        base = _noise(rng, h, w, max(8, w // 24)) * 26 + _noise(rng, h, w, 4) * 10 + 8
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        vignette = 1.0 - 0.6 * (((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * 2.0)
        tint = np.array((1.0, 1.02, 0.95), dtype=np.float32)
        picture = (base * vignette)[:, :, None] * tint[None, None, :]
        self._picture = np.clip(picture, 0, 255).astype(np.uint8)
        self._grain = [
            rng.integers(0, 8, size=(height, width, 1), dtype=np.uint8).repeat(3, axis=2)
            for _ in range(_GRAIN_TILES)
        ]

    def paint(self, out: Image, index: int, seconds: float) -> None:
        """Draw the backdrop at ``seconds`` into ``out``."""
        m = self.margin
        ox = int(m + m * math.sin(seconds / 11.0))
        oy = int(m + m * 0.5 * math.sin(seconds / 7.0 + 1.0))
        window = self._picture[oy : oy + self.height, ox : ox + self.width]
        cv2.add(window, self._grain[index % _GRAIN_TILES], dst=out)
