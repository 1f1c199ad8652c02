"""Merge labels from another tool (CVAT, a YOLO or COCO folder) into one of our YOLO datasets.

An incoming image is the dataset's image of the same file name, else the one with the same
bytes under another name; its boxes then replace that image's boxes (the corrections made in
CVAT flow in) and it keeps its split. Other images are added, with their image file, to the
split they came with (``train`` when they came with none). Class names new to the dataset are
appended to ``data.yaml``'s names, so every existing id keeps its meaning.

Each file is written atomically and only when its content changes, so importing the same
labels twice changes nothing the second time.

Example:
    >>> from framewise.datasets.formats import FORMATS
    >>> report = merge_labels(Path("dataset"), FORMATS["cvat"].read(Path("cvat_export")))
    ... # doctest: +SKIP
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from framewise.core.atomic import write_json, write_text
from framewise.core.errors import ConfigError
from framewise.datasets.formats.files import (
    class_names,
    drawable_boxes,
    image_size,
    place_image,
)
from framewise.datasets.formats.yolo_format import (
    MANIFEST,
    label_path,
    manifest_of,
    read_manifest,
    read_yolo,
    yolo_lines,
)
from framewise.datasets.labels import Box, LabelledImage, LabelSet, image_digest
from framewise.datasets.spec import DATA_YAML, KNOWN_SPLITS, read_data_yaml

log = logging.getLogger(__name__)

SAME_BOX_PX = 0.05
"""Corners closer than this (pixels) are the same: what format rounding moves, not a person."""


@dataclass
class MergeReport:
    """What :func:`merge_labels` did.

    Attributes:
        data_yaml: The dataset's ``data.yaml``.
        added: Images new to the dataset (copied in).
        updated: Dataset images whose boxes were replaced.
        unchanged: Incoming images whose boxes the dataset already had.
        duplicates: Incoming images found in the dataset by their bytes, not their name.
        missing: Names of incoming images new to the dataset but without an image file.
        boxes_in: Boxes in the incoming set.
        boxes_before: Boxes in the dataset before.
        boxes_after: Boxes in the dataset after.
        new_classes: Class names appended to ``data.yaml``.
        created: The dataset did not exist and was made by this merge.
    """

    data_yaml: Path
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    missing: list[str] = field(default_factory=list)
    boxes_in: int = 0
    boxes_before: int = 0
    boxes_after: int = 0
    new_classes: list[str] = field(default_factory=list)
    created: bool = False

    @property
    def changed(self) -> bool:
        """Whether any file of the dataset was written."""
        return bool(self.added or self.updated or self.new_classes or self.created)


def merge_labels(dataset_dir: Path, incoming: LabelSet, split: str | None = None) -> MergeReport:
    """Merge ``incoming`` into the YOLO dataset in ``dataset_dir`` (made when absent).

    Args:
        dataset_dir: The dataset folder (with ``data.yaml``), or a new or empty folder.
        incoming: The labels read from the other tool.
        split: Put new images in this split instead of the one they came with.

    Raises:
        ConfigError: ``split`` is unknown, or the folder holds images but no ``data.yaml``.
        InputError: The dataset or an incoming image cannot be read.
        OutputError: The dataset cannot be written.
    """
    if split is not None and split not in KNOWN_SPLITS:
        raise ConfigError(f"unknown split {split!r}", hint=f"use one of {', '.join(KNOWN_SPLITS)}")
    state = _Dataset.open(dataset_dir)
    report = MergeReport(state.data_yaml, created=state.created)
    report.boxes_before = state.labels.box_count()
    for name in class_names(incoming):
        if name not in state.labels.names:
            state.labels.names.append(name)
            report.new_classes.append(name)
    if report.new_classes or report.created:
        # Names first: a label file must never name a class data.yaml does not have yet.
        state.write_yaml()
    for image in incoming.images:
        report.boxes_in += len(image.boxes)
        state.merge(image, split, report)
    report.boxes_after = state.labels.box_count()
    if state.yaml_changed:  # a split new to the dataset
        state.write_yaml()
    if report.changed:
        write_json(state.root / MANIFEST, manifest_of(state.labels.images, state.manifest))
    return report


@dataclass
class _Dataset:
    """The dataset being merged into, with its lookups by name and by bytes."""

    data_yaml: Path
    root: Path
    data: dict[str, Any]
    labels: LabelSet
    manifest: dict[str, Any]
    created: bool
    yaml_changed: bool = False
    by_name: dict[str, LabelledImage] = field(default_factory=dict)
    taken: set[Path] = field(default_factory=set)
    by_size: dict[int, list[LabelledImage]] | None = None
    digests: dict[Path, str] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path) -> _Dataset:
        if (folder / DATA_YAML).is_file():
            spec = read_data_yaml(folder)
            labels = read_yolo(folder)
            data = dict(spec.raw)  # rewritten with every key the file had, names updated
            manifest = read_manifest(spec.root)
            state = cls(folder / DATA_YAML, spec.root, data, labels, manifest, False)
        elif any((folder / name).exists() for name in ("images", "labels")):
            raise ConfigError(
                "the folder holds images/ or labels/ but no data.yaml",
                subject=folder,
                hint="import into a YOLO dataset folder, or into a new one",
            )
        else:
            data = {"path": str(folder.resolve()), "train": "images/train", "val": "images/val"}
            state = cls(folder / DATA_YAML, folder, data, LabelSet(names=[]), {}, created=True)
            for name in ("train", "val"):
                (folder / "images" / name).mkdir(parents=True, exist_ok=True)
                (folder / "labels" / name).mkdir(parents=True, exist_ok=True)
        state.by_name = {image.name: image for image in state.labels.images}
        state.taken = {label_path(image.image) for image in state.labels.images}
        return state

    def write_yaml(self) -> None:
        names = self.labels.names
        listed = isinstance(self.data.get("names"), list)
        self.data["names"] = list(names) if listed else dict(enumerate(names))
        text = yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True)
        write_text(self.data_yaml, text)
        self.yaml_changed = False

    def merge(self, image: LabelledImage, split: str | None, report: MergeReport) -> None:
        target = self.by_name.get(image.name)
        if target is None and image.image.is_file():
            target = self._same_bytes(image.image)
            report.duplicates += target is not None
        if target is not None:
            self._replace_boxes(target, image, report)
        elif not image.image.is_file():
            report.missing.append(image.name)
            log.warning("%s: not in the dataset and no image file; skipped", image.image)
        else:
            self._add(image, split or (image.split if image.split in KNOWN_SPLITS else "train"))
            report.added += 1

    def _replace_boxes(
        self, target: LabelledImage, image: LabelledImage, report: MergeReport
    ) -> None:
        boxes = drawable_boxes(_resized(image, target.width, target.height))
        path = label_path(target.image)
        if path.is_file() and _same_boxes(boxes, target.boxes):
            report.unchanged += 1
            return
        text = yolo_lines(boxes, self.labels.names, target)
        write_text(path, text)
        # Ultralytics before 8.4 keyed its label cache on file names and sizes only, so a
        # corrected box of the same text length kept the stale cache in use.
        path.parent.with_suffix(".cache").unlink(missing_ok=True)
        target.boxes = boxes
        report.updated += 1

    def _add(self, image: LabelledImage, split: str) -> None:
        entry = self.data.get(split)
        if not isinstance(entry, str):
            entry = f"images/{split}"
            self.data[split] = entry
            self.yaml_changed = True
        folder = self.root / entry
        if folder.is_file():
            raise ConfigError(
                f"the {split} split is a list of files ({entry}); new images need a folder",
                subject=self.data_yaml,
                hint=f"point {split}: at a folder such as images/{split}",
            )
        target = folder / image.name
        if label_path(target) in self.taken:
            # Another image with this stem (a.png beside a.jpg) would share its label file.
            stem, suffix = image.image.stem, image.image.suffix
            target = folder / f"{stem}_{self._digest(image.image)[:8]}{suffix}"
        place_image(image.image, target)
        width, height = image_size(target)
        added = _resized(image, width, height)
        added = replace(added, image=target, split=split, boxes=drawable_boxes(added))
        write_text(label_path(target), yolo_lines(added.boxes, self.labels.names, added))
        label_path(target).parent.with_suffix(".cache").unlink(missing_ok=True)
        self.labels.images.append(added)
        self.by_name[added.name] = added
        self.taken.add(label_path(target))
        self.digests[target] = self._digest(image.image)
        if self.by_size is not None:
            self.by_size.setdefault(target.stat().st_size, []).append(added)

    def _same_bytes(self, path: Path) -> LabelledImage | None:
        """The dataset image with the bytes of ``path``; sizes first, so few files are hashed."""
        if self.by_size is None:
            self.by_size = {}
            for known in self.labels.images:
                self.by_size.setdefault(known.image.stat().st_size, []).append(known)
        candidates = self.by_size.get(path.stat().st_size, [])
        if not candidates:
            return None
        digest = self._digest(path)
        return next((c for c in candidates if self._digest(c.image) == digest), None)

    def _digest(self, path: Path) -> str:
        if path not in self.digests:
            self.digests[path] = image_digest(path)
        return self.digests[path]


def _same_boxes(new: list[Box], old: list[Box]) -> bool:
    """Whether two box lists agree up to the rounding of the formats they went through.

    CVAT and COCO keep two decimals and YOLO six of the relative size, so an image that
    went out and came back unchanged differs by a few thousandths of a pixel.
    """
    if len(new) != len(old):
        return False
    for a, b in zip(sorted(new, key=_order), sorted(old, key=_order), strict=True):
        corners = zip((a.x1, a.y1, a.x2, a.y2), (b.x1, b.y1, b.x2, b.y2), strict=True)
        if a.label != b.label or any(abs(x - y) > SAME_BOX_PX for x, y in corners):
            return False
    return True


def _order(box: Box) -> tuple[str, float, float, float, float]:
    return box.label, box.x1, box.y1, box.x2, box.y2


def _resized(image: LabelledImage, width: int, height: int) -> LabelledImage:
    """``image`` with its boxes in the pixels of a ``width`` × ``height`` picture."""
    if (image.width, image.height) == (width, height):
        return image
    sx, sy = width / image.width, height / image.height
    boxes = [
        replace(b, x1=b.x1 * sx, y1=b.y1 * sy, x2=b.x2 * sx, y2=b.y2 * sy) for b in image.boxes
    ]
    return replace(image, width=width, height=height, boxes=boxes)
