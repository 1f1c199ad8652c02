"""What every dataset format shares: image sizes from headers, image copies, box hygiene.

Image files are never re-encoded: a copy is a hard link when the target is on the same file
system, else a byte copy, and either lands under a temporary name that is then renamed, so a
reader never sees half an image.
"""

from __future__ import annotations

import logging
import os
import shutil
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import cv2

from framewise.core.errors import ConfigError, InputError, OutputError
from framewise.datasets.labels import Box, LabelledImage, LabelSet
from framewise.datasets.spec import IMAGE_SUFFIXES, KNOWN_SPLITS

log = logging.getLogger(__name__)

SEARCH_DEPTH = 3
"""How many folder levels below an annotation file images are searched for by name."""
_SPLIT_ALIASES = {"validation": "val", "valid": "val", "training": "train", "testing": "test"}

# JPEG start-of-frame markers carry the size; C4 (Huffman), C8 (reserved) and CC (arithmetic
# coding table) share the range but are not frames.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_size(path: Path) -> tuple[int, int]:
    """Width and height of an image, from its header for PNG and JPEG (no decoding).

    Raises:
        InputError: The file is missing, unreadable or not an image.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(26)
            if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
                width, height = struct.unpack(">II", head[16:24])
                return int(width), int(height)
            if head.startswith(b"\xff\xd8"):
                handle.seek(2)
                found = _jpeg_size(handle)
                if found is not None:
                    return found
    except OSError as exc:
        raise InputError(
            f"cannot read the image ({exc.strerror})",
            subject=path,
            hint="check the file exists and is readable",
        ) from None
    # Other types (BMP, WebP, TIFF) are rare in datasets: decoding them once is acceptable.
    picture = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if picture is None:
        raise InputError(
            "not an image OpenCV can read", subject=path, hint="use JPEG or PNG image files"
        )
    return int(picture.shape[1]), int(picture.shape[0])


def _jpeg_size(handle: BinaryIO) -> tuple[int, int] | None:
    """Walk the JPEG segments up to the first start-of-frame; None when there is none."""
    read = handle.read
    while True:
        byte = read(1)
        while byte == b"\xff":  # fill bytes before a marker
            byte = read(1)
        if not byte:
            return None
        marker = byte[0]
        if marker in (0x01, *range(0xD0, 0xDA)):  # markers without a length
            byte = read(1)
            if byte != b"\xff":
                return None
            continue
        length_bytes = read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if marker in _SOF_MARKERS:
            body = read(5)
            if len(body) < 5:
                return None
            height, width = struct.unpack(">HH", body[1:5])
            return int(width), int(height)
        handle.seek(length - 2, os.SEEK_CUR)
        if read(1) != b"\xff":
            return None


def prepare_output(
    out: Path, overwrite: bool, labels: LabelSet, held: tuple[str, ...], what: str
) -> None:
    """Make sure nothing of an earlier export remains in ``out`` (refuse unless ``overwrite``).

    ``held`` names the files and folders of a dataset in ``out``: with none of them there,
    nothing happens; otherwise they are removed when ``overwrite`` is true.

    Raises:
        ConfigError: ``out`` holds a dataset and ``overwrite`` is false, or the set's images
            are inside the folders that would be removed.
    """
    found = [out / name for name in held if (out / name).exists()]
    if not found:
        return
    if not overwrite:
        raise ConfigError(
            f"the folder already holds {what}",
            subject=out,
            hint="choose an empty output folder, or pass --overwrite to replace it",
        )
    folders = [path.resolve() for path in found if path.is_dir()]
    for image in labels.images:
        if any(image.image.resolve().is_relative_to(folder) for folder in folders):
            raise ConfigError(
                "cannot overwrite the dataset the images are read from",
                subject=out,
                hint="write to another folder",
            )
    for path in found:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def place_image(source: Path, target: Path) -> None:
    """Put ``source``'s bytes at ``target``: a hard link when possible, else a copy.

    Raises:
        InputError: The source image is missing.
        OutputError: The target cannot be written.
    """
    if not source.is_file():
        raise InputError(
            "the image file is missing", subject=source, hint="export the images with the labels"
        )
    if target.exists() and target.samefile(source):
        return
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        try:
            os.link(source, partial)
        except OSError:  # another file system, or links not allowed there: copy the bytes
            shutil.copyfile(source, partial)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(
            f"cannot write the image ({exc.strerror})",
            subject=target,
            hint="choose a writable output folder with free space",
        ) from None


def drawable_boxes(image: LabelledImage) -> list[Box]:
    """The image's boxes clipped to it; boxes with nothing left inside are dropped (logged)."""
    kept = [b for b in (box.clipped(image.width, image.height) for box in image.boxes) if b]
    if len(kept) < len(image.boxes):
        log.warning(
            "%s: dropped %d box(es) lying outside the %dx%d image",
            image.name,
            len(image.boxes) - len(kept),
            image.width,
            image.height,
        )
    return kept


def class_names(labels: LabelSet) -> list[str]:
    """The set's class names plus any box label missing from them, in order of appearance."""
    names = list(labels.names)
    for image in labels.images:
        names += [box.label for box in image.boxes if box.label not in names]
    return list(dict.fromkeys(names))


def check_names(labels: LabelSet) -> None:
    """Refuse two images with the same file stem (their label files would collide).

    Raises:
        ConfigError: Two images share a stem.
    """
    seen: dict[str, Path] = {}
    for image in labels.images:
        other = seen.setdefault(image.image.stem, image.image)
        if other != image.image:
            raise ConfigError(
                f"two images share the file name {image.image.stem!r}: {other} and {image.image}",
                subject=image.image,
                hint="give every image of a dataset its own file name",
            )


def check_splits(labels: LabelSet) -> list[str]:
    """The splits in use, in the usual order (train and val always among them).

    Raises:
        ConfigError: An image has a split other than train, val and test.
    """
    for image in labels.images:
        if image.split not in KNOWN_SPLITS:
            raise ConfigError(
                f"unknown split {image.split!r} of {image.name}",
                subject=image.image,
                hint=f"use one of {', '.join(KNOWN_SPLITS)}",
            )
    used = {image.split for image in labels.images} | {"train", "val"}
    return [split for split in KNOWN_SPLITS if split in used]


def normalise_split(text: str | None, default: str = "train") -> str:
    """A subset name from another tool as one of train / val / test (``default`` otherwise)."""
    name = (text or "").strip().lower()
    name = _SPLIT_ALIASES.get(name, name)
    return name if name in KNOWN_SPLITS else default


def check_sizes(labels: LabelSet) -> None:
    """Make sure each image file has the size the set says (boxes are in its pixels).

    Raises:
        InputError: A file is missing, unreadable, or of another size.
    """
    for image in labels.images:
        actual = image_size(image.image)
        if actual != (image.width, image.height):
            raise InputError(
                f"the image is {actual[0]}x{actual[1]} but its labels say "
                f"{image.width}x{image.height}",
                subject=image.image,
                hint="export the labels again from the same frames",
            )


class ImageFinder:
    """Finds an image named in an annotation file, relative to that file's folder.

    Tried in order: ``ROOT/images/NAME``, ``ROOT/NAME``, then any file with NAME's base name
    up to :data:`SEARCH_DEPTH` folders below ROOT (indexed once, on first need).
    """

    def __init__(self, root: Path, prefixes: Iterable[str] = ("images",)) -> None:
        self.root = root
        self.prefixes = tuple(prefixes)
        self._by_basename: dict[str, Path] | None = None

    def find(self, name: str) -> Path | None:
        """The image file for ``name``, or None when there is none."""
        relative = Path(name.replace("\\", "/"))
        for candidate in (*(self.root / p / relative for p in self.prefixes), self.root / relative):
            if candidate.is_file():
                return candidate
        if self._by_basename is None:
            self._by_basename = self._index()
        return self._by_basename.get(relative.name)

    def _index(self) -> dict[str, Path]:
        # A few levels only: an XML saved in a downloads folder must not crawl a whole disk.
        found: dict[str, Path] = {}
        for folder, subfolders, files in os.walk(self.root):
            depth = len(Path(folder).relative_to(self.root).parts)
            subfolders[:] = sorted(subfolders) if depth < SEARCH_DEPTH else []
            for name in sorted(files):
                if Path(name).suffix.lower() in IMAGE_SUFFIXES:
                    found.setdefault(name, Path(folder) / name)
        return found

    def guess(self, name: str) -> Path:
        """Where the image would be: the file found, else ``ROOT/images/NAME``."""
        found = self.find(name)
        return found if found is not None else self.root / self.prefixes[0] / name
