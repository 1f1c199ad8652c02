"""Dataset formats: an explicit registry of writers and readers of a :class:`LabelSet`.

Example:
    >>> from framewise.datasets.formats import FORMATS, detect_format
    >>> sorted(FORMATS)
    ['coco', 'cvat', 'yolo']
    >>> FORMATS["cvat"].write(labels, Path("out"), False)  # doctest: +SKIP
    >>> FORMATS[detect_format(Path("export"))].read(Path("export"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.datasets.formats.coco_format import coco_files, read_coco, write_coco
from framewise.datasets.formats.cvat_format import ANNOTATIONS_XML, read_cvat, write_cvat
from framewise.datasets.formats.yolo_format import read_yolo, write_yolo
from framewise.datasets.labels import LabelSet
from framewise.datasets.spec import DATA_YAML


@dataclass(frozen=True)
class DatasetFormat:
    """One dataset format.

    Attributes:
        name: The name the CLI takes (``--format``).
        write: Writes a set into a folder (``labels, out, overwrite``); returns the main file
            or folder written.
        read: Reads a set from a file or folder of this format.
        description: One line for help texts.
    """

    name: str
    write: Callable[[LabelSet, Path, bool], Path]
    read: Callable[[Path], LabelSet]
    description: str


FORMATS: Mapping[str, DatasetFormat] = MappingProxyType(
    {
        "yolo": DatasetFormat(
            "yolo",
            write_yolo,
            read_yolo,
            "Ultralytics YOLO: data.yaml, images/{split}/, labels/{split}/*.txt",
        ),
        "cvat": DatasetFormat(
            "cvat", write_cvat, read_cvat, "CVAT for images 1.1: annotations.xml + images/"
        ),
        "coco": DatasetFormat(
            "coco",
            write_coco,
            read_coco,
            "COCO detection: annotations/instances_{split}.json + images/{split}/",
        ),
    }
)
"""Format name → format; read-only, so no caller can change what another one sees."""


def detect_format(path: Path) -> str:
    """The name of the format ``path`` is written in.

    A ``data.yaml`` (or a folder with one, or with ``images/`` and ``labels/``) is YOLO; an
    ``.xml`` file (or a folder with ``annotations.xml``) is CVAT; a ``.json`` file with
    images, annotations and categories (or a folder with ``annotations/instances_*.json``)
    is COCO.

    Raises:
        InputNotFoundError: ``path`` does not exist.
        ConfigError: None of the formats fits.
    """
    if not path.exists():
        raise InputNotFoundError("no such file or folder", subject=path, hint="check the path")
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml"):
            return "yolo"
        if suffix == ".xml":
            return "cvat"
        if suffix == ".json" and _is_coco(path):
            return "coco"
    else:
        if (path / DATA_YAML).is_file():
            return "yolo"
        if (path / ANNOTATIONS_XML).is_file():
            return "cvat"
        if coco_files(path):
            return "coco"
        if (path / "images").is_dir() and (path / "labels").is_dir():
            return "yolo"
    raise ConfigError(
        "cannot tell the dataset format",
        subject=path,
        hint="pass --format yolo, cvat or coco (or point at data.yaml, annotations.xml or "
        "instances_*.json)",
    )


def _is_coco(path: Path) -> bool:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False  # not readable JSON: not COCO, and detect_format says which format fits
    keys = {"images", "annotations", "categories"}
    return isinstance(document, dict) and keys <= document.keys()


__all__ = ["FORMATS", "DatasetFormat", "detect_format"]
