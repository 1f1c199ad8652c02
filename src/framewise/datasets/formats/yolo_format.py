"""YOLO (Ultralytics) layout: write a :class:`LabelSet` as one, read any such folder back.

Layout written (what Ultralytics, datumaro's ``yolo`` importer and CVAT's "Ultralytics YOLO
Detection" import read)::

    OUT/data.yaml                 # path, train: images/train, val: images/val, names {id: name}
    OUT/images/{split}/NAME       # the image file, linked or copied, never re-encoded
    OUT/labels/{split}/STEM.txt   # "id cx cy w h" normalised to [0, 1]; empty: a negative
    OUT/manifest.json             # counts, and per image its session, seconds, origin, scores

YOLO text files cannot hold where a frame came from nor a model's confidence, so
``manifest.json`` keeps them and :func:`read_yolo` restores them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_json, write_text
from framewise.core.errors import InputError, InputNotFoundError
from framewise.datasets.formats.files import (
    check_names,
    check_sizes,
    check_splits,
    class_names,
    drawable_boxes,
    image_size,
    place_image,
    prepare_output,
)
from framewise.datasets.labels import Box, LabelledImage, LabelSet
from framewise.datasets.spec import DATA_YAML, KNOWN_SPLITS, DatasetSpec, read_data_yaml

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_ORIGINS = ("event", "reviewer", "negative", "imported")


def write_yolo(labels: LabelSet, out: Path, overwrite: bool = False) -> Path:
    """Write ``labels`` as a YOLO dataset in ``out``; returns its ``data.yaml``.

    Raises:
        ConfigError: ``out`` already holds a dataset and ``overwrite`` is false, two images
            share a file name, or an image has an unknown split.
        InputError: An image file is missing or not of the size its labels say.
        OutputError: ``out`` cannot be written.
    """
    check_names(labels)
    splits = check_splits(labels)
    check_sizes(labels)
    names = class_names(labels)
    prepare_output(
        out, overwrite, labels, ("images", "labels", DATA_YAML, MANIFEST), "a YOLO dataset"
    )
    for image in labels.images:
        target = out / "images" / image.split / image.name
        place_image(image.image, target)
        write_text(label_path(target), yolo_lines(drawable_boxes(image), names, image))
    for split in splits:  # Ultralytics' checker wants every split folder named in data.yaml
        (out / "images" / split).mkdir(parents=True, exist_ok=True)
        (out / "labels" / split).mkdir(parents=True, exist_ok=True)
    entries: dict[str, tuple[str, ...]] = {split: (f"images/{split}",) for split in splits}
    if not labels.in_split("val") and labels.in_split("train"):
        # One session only: Ultralytics needs a val split, and an empty one stops training.
        log.warning("no val images (one session?): data.yaml validates on train")
        entries["val"] = ("images/train",)
    spec = DatasetSpec(kind="yolo", root=out, splits=entries, names=tuple(names))
    data_yaml = spec.write_data_yaml()
    write_json(out / MANIFEST, manifest_of(labels.images, {}))
    return data_yaml


def label_path(image: Path) -> Path:
    """The label file of an image, found the way Ultralytics finds it.

    The last ``images`` folder of the path becomes ``labels`` and the suffix ``.txt``.
    """
    parts = list(image.parts)
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == "images":
            parts[index] = "labels"
            break
    return Path(*parts).with_suffix(".txt")


def yolo_line(
    class_id: int, box: tuple[float, float, float, float], width: int, height: int
) -> str:
    """One label line, ``id cx cy w h`` normalised to the image and newline-terminated.

    The only writer of YOLO label text in :mod:`framewise.datasets` (the exports of labelled
    logs, of merged datasets and of rendered sessions all write through it).
    """
    x1, y1, x2, y2 = box
    cx, cy = (x1 + x2) / 2 / width, (y1 + y2) / 2 / height
    w, h = (x2 - x1) / width, (y2 - y1) / height
    return f"{class_id} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}\n"


def yolo_lines(boxes: list[Box], names: list[str], image: LabelledImage) -> str:
    """The label file text of boxes on ``image``: one ``id cx cy w h`` line per box."""
    return "".join(
        yolo_line(names.index(b.label), (b.x1, b.y1, b.x2, b.y2), image.width, image.height)
        for b in boxes
    )


def manifest_of(images: list[LabelledImage], base: dict[str, Any]) -> dict[str, Any]:
    """``base`` (an existing manifest) with per-split counts and per-image metadata set."""
    manifest = dict(base)
    counts: dict[str, dict[str, int]] = {"images": {}, "boxes": {}, "negatives": {}}
    info: dict[str, dict[str, Any]] = {}
    for image in images:
        counts["images"][image.split] = counts["images"].get(image.split, 0) + 1
        counts["boxes"][image.split] = counts["boxes"].get(image.split, 0) + len(image.boxes)
        counts["negatives"][image.split] = counts["negatives"].get(image.split, 0) + (
            not image.boxes
        )
        entry: dict[str, Any] = {
            "split": image.split,
            "session": image.session,
            "seconds": image.seconds,
            "origin": image.origin,
        }
        if any(box.score is not None for box in image.boxes):
            entry["scores"] = [box.score for box in image.boxes]
        info[image.name] = entry
    manifest.update(counts)
    manifest["image_info"] = info
    return manifest


def read_manifest(root: Path) -> dict[str, Any]:
    """The dataset's ``manifest.json``, or an empty mapping when it has none."""
    path = root / MANIFEST
    if not path.is_file():
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", subject=path) from None
    return loaded if isinstance(loaded, dict) else {}


def read_yolo(path: Path) -> LabelSet:
    """Read a YOLO dataset (its folder or its ``data.yaml``).

    Splits are the ``train`` / ``val`` / ``test`` entries of ``data.yaml`` (folders or
    ``.txt`` lists of images); a folder without ``data.yaml`` is read by its
    ``images/{split}`` subfolders, class names then from ``classes.txt`` or ``obj.names``.

    Raises:
        InputNotFoundError: ``path`` does not exist.
        InputError: A label file or ``data.yaml`` is malformed.
    """
    if not path.exists():
        raise InputNotFoundError("no such dataset", subject=path, hint="check the path")
    if path.is_dir() and not (path / DATA_YAML).is_file():
        # Class names of loose folders come from a side file, not from a spec.
        spec = DatasetSpec(kind="yolo", root=path, splits=_folder_splits(path), names=())
        names, fixed = _loose_names(path), False
    else:
        spec = read_data_yaml(path)
        names, fixed = list(spec.names), True
    info = read_manifest(spec.root).get("image_info")
    info = info if isinstance(info, dict) else {}
    labels = LabelSet(names=names)
    seen: set[Path] = set()
    for split in KNOWN_SPLITS:
        for image_file in spec.images(split):
            if image_file.resolve() in seen:
                continue
            seen.add(image_file.resolve())
            labels.images.append(_read_image(image_file, split, labels, fixed, info))
    return labels


def _folder_splits(root: Path) -> Mapping[str, tuple[str, ...]]:
    images = root / "images"
    found = {s: (f"images/{s}",) for s in KNOWN_SPLITS if (images / s).is_dir()}
    return found or {"train": ("images" if images.is_dir() else ".",)}


def _loose_names(root: Path) -> list[str]:
    for name in ("classes.txt", "obj.names"):
        if (root / name).is_file():
            lines = (root / name).read_text(encoding="utf-8").splitlines()
            return [line.strip() for line in lines if line.strip()]
    return []


def _read_image(
    image_file: Path, split: str, labels: LabelSet, fixed: bool, info: dict[str, Any]
) -> LabelledImage:
    width, height = image_size(image_file)
    image = LabelledImage(image_file, width, height, split=split, origin="imported")
    text_file = label_path(image_file)
    if text_file.is_file():
        lines = text_file.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            box = _parse_line(line, text_file, number, labels, fixed, width, height)
            if box is not None:
                image.boxes.append(box)
    entry = info.get(image.name)
    if isinstance(entry, dict):
        image.session = str(entry.get("session") or "")
        seconds = entry.get("seconds")
        image.seconds = float(seconds) if isinstance(seconds, int | float) else None
        origin = entry.get("origin")
        image.origin = origin if origin in _ORIGINS else "imported"
        scores = entry.get("scores")
        if isinstance(scores, list) and len(scores) == len(image.boxes):
            image.boxes = [
                Box(b.label, b.x1, b.y1, b.x2, b.y2, float(s) if s is not None else None)
                for b, s in zip(image.boxes, scores, strict=True)
            ]
    return image


def _parse_line(
    line: str, path: Path, number: int, labels: LabelSet, fixed: bool, width: int, height: int
) -> Box | None:
    fields = line.split()
    if not fields:
        return None
    where = f"{path}:{number}"
    try:
        class_id, values = int(fields[0]), [float(v) for v in fields[1:]]
    except ValueError:
        raise InputError(f"not numbers: {line.strip()!r}", subject=where) from None
    if len(values) == 4:
        cx, cy, w, h = values
        x1, y1, x2, y2 = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
    elif len(values) >= 6 and len(values) % 2 == 0:  # a segment: its bounding box
        xs, ys = values[0::2], values[1::2]
        x1, y1, x2, y2 = min(xs), min(ys), max(xs), max(ys)
    else:
        raise InputError(
            f"a label line needs 'id cx cy w h', got {len(fields)} fields", subject=where
        )
    if not 0 <= class_id < len(labels.names):
        if fixed or class_id < 0:
            raise InputError(
                f"class id {class_id} is not in data.yaml's names",
                subject=where,
                hint="add the class to names, or fix the label file",
            )
        labels.names += [str(n) for n in range(len(labels.names), class_id + 1)]
    return Box(
        labels.names[class_id],
        round(x1 * width, 3),
        round(y1 * height, 3),
        round(x2 * width, 3),
        round(y2 * height, 3),
    )
