"""The one in-memory form of a labelled image set, which every dataset format reads and writes.

Export (``framewise export``) builds a :class:`LabelSet` from reviewed event logs; the format
modules write it as YOLO, CVAT for images 1.1 or COCO; ``framewise import-labels`` reads those
formats back into a :class:`LabelSet` and merges it into a dataset. Boxes are in pixels of the
image (``x1, y1, x2, y2``, corners, x to the right, y down), so no format's convention leaks
into another's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from framewise.core.errors import InputError

Origin = Literal["event", "reviewer", "negative", "imported"]
"""Why an image is in the set: a kept event's detections, a box a reviewer drew, a sampled
frame with nothing on it, or labels read from another tool."""

SPLITS = ("train", "val")


@dataclass(frozen=True)
class Box:
    """One labelled box in image pixels.

    Attributes:
        label: Class name.
        x1: Left edge.
        y1: Top edge.
        x2: Right edge.
        y2: Bottom edge.
        score: The model's confidence when the box came from a detection; None when a
            person drew or confirmed it.
        mask: The object's mask as COCO compressed RLE ``(height, width, counts)``; None
            when it has none (a tuple, so boxes stay hashable).
    """

    label: str
    x1: float
    y1: float
    x2: float
    y2: float
    score: float | None = None
    mask: tuple[int, int, str] | None = None

    @property
    def xyxy(self) -> tuple[float, float, float, float]:
        """The corners as ``(x1, y1, x2, y2)``."""
        return (self.x1, self.y1, self.x2, self.y2)

    def clipped(self, width: int, height: int) -> Box | None:
        """The box inside a ``width`` × ``height`` image, or None when nothing of it is left."""
        x1, x2 = max(0.0, min(self.x1, width)), max(0.0, min(self.x2, width))
        y1, y2 = max(0.0, min(self.y1, height)), max(0.0, min(self.y2, height))
        if x2 - x1 < 1.0 or y2 - y1 < 1.0:
            return None
        return replace(self, x1=x1, y1=y1, x2=x2, y2=y2)


@dataclass
class LabelledImage:
    """One image and its boxes (none: a negative, the model should find nothing there).

    Attributes:
        image: Path of the image file.
        width: Image width in pixels.
        height: Image height in pixels.
        boxes: The labelled boxes.
        split: ``train`` or ``val``.
        session: The session (video) the frame came from; splits never share one.
        seconds: Video time of the frame, when known.
        origin: Why the image is in the set.
    """

    image: Path
    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    split: str = "train"
    session: str = ""
    seconds: float | None = None
    origin: Origin = "event"

    @property
    def name(self) -> str:
        """The image's file name, its key within a dataset."""
        return self.image.name


@dataclass
class LabelSet:
    """Images with boxes plus the class list whose order fixes the class ids.

    Attributes:
        names: Class names; a box's class id is its label's index here.
        images: The images.
    """

    names: list[str]
    images: list[LabelledImage] = field(default_factory=list)

    def class_id(self, label: str) -> int:
        """The id of ``label``, appending it to :attr:`names` when new."""
        if label not in self.names:
            self.names.append(label)
        return self.names.index(label)

    def box_count(self) -> int:
        """Boxes over all images."""
        return sum(len(image.boxes) for image in self.images)

    def in_split(self, split: str) -> list[LabelledImage]:
        """The images of one split, in order."""
        return [image for image in self.images if image.split == split]


def image_digest(path: Path) -> str:
    """SHA-1 of an image file's bytes: the same frame under another name is still a duplicate.

    Raises:
        InputError: The file cannot be read.
    """
    try:
        return hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()
    except OSError as exc:
        raise InputError(
            f"cannot read the image ({exc.strerror})",
            subject=path,
            hint="check the dataset folder is complete",
        ) from None
