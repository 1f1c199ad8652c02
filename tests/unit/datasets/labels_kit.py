"""Real image files and label sets for the dataset format and merge tests."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from framewise.datasets.labels import Box, LabelledImage, LabelSet

WIDTH, HEIGHT = 320, 192
NAMES = ["kill_feed", "health_bar", "minimap"]
TOLERANCE_PX = 0.01


def picture(path: Path, seed: int, width: int = WIDTH, height: int = HEIGHT) -> Path:
    """Write a small, distinct picture (JPEG or PNG by suffix) and return its path."""
    rng = np.random.default_rng(seed)
    image = np.full((height, width, 3), (seed * 37) % 256, np.uint8)
    for _ in range(4):
        x, y = int(rng.integers(0, width - 40)), int(rng.integers(0, height - 30))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.rectangle(image, (x, y), (x + 40, y + 30), colour, -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), image)
    return path


def label_set(folder: Path, count: int = 6) -> LabelSet:
    """``count`` frames: boxes of every class with fractional corners, one negative, two splits.

    Frame 2 is the negative; frames 4 and 5 are in ``val``; model boxes carry a score.
    """
    images = []
    for n in range(count):
        path = picture(folder / f"s1_{n:04d}.jpg", seed=n)
        boxes: list[Box] = []
        if n != 2:
            boxes = [
                Box("kill_feed", 10.25 + n, 20.5, 150.75, 60.125, score=0.5 + n / 20),
                Box("health_bar", 0.0, 170.333, 96.667, 192.0),
            ]
            if n % 2:
                boxes.append(Box("minimap", 250.1 - n, 3.9, 318.45, 71.2, score=0.91))
        images.append(
            LabelledImage(
                path,
                WIDTH,
                HEIGHT,
                boxes,
                split="val" if n >= 4 else "train",
                session="s1",
                seconds=n * 0.5,
                origin="negative" if n == 2 else "event",
            )
        )
    return LabelSet(names=list(NAMES), images=images)


def by_name(labels: LabelSet) -> dict[str, LabelledImage]:
    """The images of a set keyed by file name."""
    return {image.name: image for image in labels.images}


def assert_same_boxes(got: list[Box], want: list[Box], tolerance: float = TOLERANCE_PX) -> None:
    """Same labels and corners within ``tolerance`` pixels, in the same order."""
    assert [b.label for b in got] == [b.label for b in want]
    for a, b in zip(got, want, strict=True):
        for x, y in ((a.x1, b.x1), (a.y1, b.y1), (a.x2, b.x2), (a.y2, b.y2)):
            assert abs(x - y) <= tolerance, (a, b)
