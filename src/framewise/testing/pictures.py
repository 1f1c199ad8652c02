"""A deterministic busy picture: what tests and benchmarks feed a detector in place of footage."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray


def busy_picture(seed: int = 0, width: int = 1920, height: int = 1080) -> NDArray[np.uint8]:
    """Gradient, grain and a few dozen filled rectangles: a frame with edges everywhere."""
    rng = np.random.default_rng(seed)
    image = np.empty((height, width, 3), np.uint8)
    image[:] = np.linspace(30, 200, width, dtype=np.uint8)[None, :, None]
    image += rng.integers(0, 40, image.shape, dtype=np.uint8)
    for _ in range(40):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.rectangle(image, (x, y), (x + int(rng.integers(20, 300)), y + 80), colour, -1)
    return image
