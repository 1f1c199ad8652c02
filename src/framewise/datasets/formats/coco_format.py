"""COCO object detection: ``annotations/instances_{split}.json`` plus ``images/{split}/NAME``.

Written the way pycocotools, datumaro and CVAT's "COCO 1.0" import read it: category ids
from 1 in the order of the class names, image and annotation ids integers from 1, ``bbox``
as ``[x, y, width, height]`` in pixels, ``area`` its surface, ``iscrowd`` 0, and the
``info`` and ``licenses`` blocks. A model's confidence goes in ``score``; where a frame came
from goes in a ``framewise`` object on the image, which other tools ignore and
:func:`read_coco` restores.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framewise import __version__
from framewise.core.atomic import write_json
from framewise.core.errors import InputError, InputNotFoundError
from framewise.core.masks import decode_rle
from framewise.datasets.formats.files import (
    ImageFinder,
    check_names,
    check_sizes,
    check_splits,
    class_names,
    drawable_boxes,
    normalise_split,
    place_image,
    prepare_output,
)
from framewise.datasets.labels import Box, LabelledImage, LabelSet

log = logging.getLogger(__name__)

_INSTANCES = re.compile(r"^instances_(.+)\.json$")
_ORIGINS = ("event", "reviewer", "negative", "imported")


def write_coco(labels: LabelSet, out: Path, overwrite: bool = False) -> Path:
    """Write ``labels`` as COCO in ``out``; returns the ``annotations`` folder.

    Raises:
        ConfigError: ``out`` already holds a COCO dataset and ``overwrite`` is false, two
            images share a file name, or an image has an unknown split.
        InputError: An image file is missing or not of the size its labels say.
        OutputError: ``out`` cannot be written.
    """
    check_names(labels)
    splits = [s for s in check_splits(labels) if labels.in_split(s)] or ["train"]
    check_sizes(labels)
    prepare_output(out, overwrite, labels, ("annotations", "images"), "a COCO dataset")
    names = class_names(labels)
    categories = [
        {"id": number, "name": name, "supercategory": ""}
        for number, name in enumerate(names, start=1)
    ]
    folder = out / "annotations"
    annotation_id = 0
    for split in splits:
        images: list[dict[str, Any]] = []
        annotations: list[dict[str, Any]] = []
        for image_id, image in enumerate(labels.in_split(split), start=1):
            place_image(image.image, out / "images" / split / image.name)
            images.append(_image_entry(image, image_id))
            for box in drawable_boxes(image):
                annotation_id += 1
                annotations.append(_annotation(box, annotation_id, image_id, names))
        document = {
            "info": _info(),
            "licenses": [{"id": 0, "name": "", "url": ""}],
            "categories": categories,
            "images": images,
            "annotations": annotations,
        }
        write_json(folder / f"instances_{split}.json", document)
    return folder


def _info() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "description": "framewise export",
        "version": __version__,
        "year": now.year,
        "contributor": "framewise",
        "url": "",
        "date_created": now.isoformat(),
    }


def _image_entry(image: LabelledImage, image_id: int) -> dict[str, Any]:
    return {
        "id": image_id,
        "file_name": image.name,
        "width": image.width,
        "height": image.height,
        "license": 0,
        "framewise": {"session": image.session, "seconds": image.seconds, "origin": image.origin},
    }


def _annotation(box: Box, annotation_id: int, image_id: int, names: list[str]) -> dict[str, Any]:
    # Round the corners, then take the size from them: x + width lands on the rounded x2.
    x1, y1, x2, y2 = (round(v, 2) for v in (box.x1, box.y1, box.x2, box.y2))
    width, height = round(x2 - x1, 2), round(y2 - y1, 2)
    entry: dict[str, Any] = {
        "id": annotation_id,
        "image_id": image_id,
        "category_id": names.index(box.label) + 1,
        "bbox": [x1, y1, width, height],
        "area": round(width * height, 2),
        "iscrowd": 0,
        "segmentation": [],
    }
    if box.score is not None:
        entry["score"] = box.score
    if box.mask is not None:  # an annotated object's mask (framewise annotate), as RLE
        height, width, counts = box.mask
        entry["segmentation"] = {"size": [height, width], "counts": counts}
        entry["area"] = int(decode_rle(entry["segmentation"]).sum())
    return entry


def coco_files(path: Path) -> list[Path]:
    """The COCO JSON files of ``path``: itself, or a folder's ``annotations/instances_*.json``."""
    if path.is_file():
        return [path]
    for folder in (path / "annotations", path):
        found = sorted(folder.glob("instances_*.json"))
        if found:
            return found
    return []


def read_coco(path: Path) -> LabelSet:
    """Read COCO detection annotations (one JSON file, or a folder of ``instances_*.json``).

    The split of each file comes from its name (``instances_val2017.json`` is ``val``);
    images are looked up in ``images/{split}/``, ``images/``, beside the file, then by base
    name. Crowd regions (``iscrowd`` 1) are not objects to detect and are skipped.

    Raises:
        InputNotFoundError: There is no such file, or the folder holds no COCO JSON.
        InputError: A file is not valid JSON or not COCO detection.
    """
    files = coco_files(path)
    if not path.exists() or not files:
        raise InputNotFoundError(
            "no COCO annotations here",
            subject=path,
            hint="point at instances_*.json or the folder holding annotations/",
        )
    labels = LabelSet(names=[])
    crowd = 0
    for json_file in files:
        root = json_file.parent
        if path.is_dir():
            root = path
        elif root.name == "annotations":  # the usual layout: images/ is its sibling
            root = root.parent
        crowd += _read_file(json_file, root, labels)
    if crowd:
        log.warning("%s: skipped %d crowd region(s) (iscrowd 1)", path, crowd)
    return labels


def _read_file(json_file: Path, root: Path, labels: LabelSet) -> int:
    document = _load(json_file)
    match = _INSTANCES.match(json_file.name)
    split = normalise_split(re.sub(r"\d+$", "", match[1]) if match else None)
    try:
        categories = {int(c["id"]): str(c["name"]) for c in document["categories"]}
        for number in sorted(categories):
            labels.class_id(categories[number])
        by_id: dict[int, LabelledImage] = {}
        finder = ImageFinder(root, (f"images/{split}", "images"))
        for entry in document["images"]:
            by_id[int(entry["id"])] = _image(entry, finder, split)
        crowd = 0
        for annotation in document.get("annotations", []):
            if annotation.get("iscrowd", 0):
                crowd += 1
                continue
            x, y, w, h = (float(v) for v in annotation["bbox"])
            score = annotation.get("score")
            by_id[int(annotation["image_id"])].boxes.append(
                Box(
                    categories[int(annotation["category_id"])],
                    x,
                    y,
                    x + w,
                    y + h,
                    float(score) if isinstance(score, int | float) else None,
                )
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"not COCO detection annotations ({type(exc).__name__}: {exc})",
            subject=json_file,
            hint="export 'COCO 1.0' / instances JSON",
        ) from None
    labels.images += by_id.values()
    return crowd


def _load(json_file: Path) -> dict[str, Any]:
    try:
        document = json.loads(json_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", subject=json_file) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", subject=json_file) from None
    if not isinstance(document, dict) or not {"images", "categories"} <= document.keys():
        raise InputError(
            "not COCO: the JSON has no images and categories",
            subject=json_file,
            hint="export 'COCO 1.0' / instances JSON",
        )
    return document


def _image(entry: dict[str, Any], finder: ImageFinder, split: str) -> LabelledImage:
    image = LabelledImage(
        finder.guess(str(entry["file_name"])),
        int(entry["width"]),
        int(entry["height"]),
        split=split,
        origin="imported",
    )
    extra = entry.get("framewise")
    if isinstance(extra, dict):
        image.session = str(extra.get("session") or "")
        seconds = extra.get("seconds")
        image.seconds = float(seconds) if isinstance(seconds, int | float) else None
        origin = extra.get("origin")
        image.origin = origin if origin in _ORIGINS else "imported"
    return image
