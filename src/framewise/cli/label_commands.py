"""``framewise import-labels``: labels from CVAT (or a YOLO / COCO folder) into a YOLO dataset.

Example:
    framewise import-labels task_export.zip --into dataset --images dataset/to_label
    framewise import-labels cvat_export/annotations.xml --into dataset
    framewise import-labels corrected_coco/ --into dataset --format coco --split val
"""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.datasets.formats.files import ImageFinder
from framewise.datasets.labels import LabelSet

FORMAT_CHOICES = ("auto", "cvat", "yolo", "coco")
SPLIT_CHOICES = ("train", "val", "test")


def import_labels_command(
    source: Annotated[
        Path,
        typer.Argument(
            help="CVAT for images 1.1 annotations.xml (or its folder), a YOLO dataset folder "
            "or data.yaml, or COCO instances_*.json (or the folder holding annotations/).",
            show_default=False,
        ),
    ],
    into: Annotated[
        Path,
        typer.Option(
            "--into",
            help="The YOLO dataset to merge into (its folder; made when it does not exist).",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="auto (tell by the files), cvat, yolo or coco."),
    ] = "auto",
    split: Annotated[
        str | None,
        typer.Option(
            "--split",
            help="Put new images in this split (train, val or test); by default the split "
            "they came with, else train. Images already in the dataset keep theirs.",
            show_default=False,
        ),
    ] = None,
    images: Annotated[
        Path | None,
        typer.Option(
            "--images",
            help="Where to find image files the source does not hold (an annotations-only "
            "CVAT export of a task made from OUT/to_label, for instance).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Merge corrected labels into a dataset: boxes replace those of the same image.

    An image is the dataset's image of the same file name, else of the same bytes; its
    boxes are replaced and it keeps its split. New images are copied in. New class names
    are appended, so existing class ids keep their meaning. Importing the same labels
    again changes nothing.
    """
    from framewise.datasets.formats import FORMATS, detect_format
    from framewise.datasets.merge import merge_labels

    if fmt not in FORMAT_CHOICES:
        raise ConfigError(
            f"--format {fmt!r} is unknown", hint=f"use one of {', '.join(FORMAT_CHOICES)}"
        )
    if split is not None and split not in SPLIT_CHOICES:
        raise ConfigError(
            f"--split {split!r} is unknown", hint=f"use one of {', '.join(SPLIT_CHOICES)}"
        )
    if images is not None and not images.is_dir():
        raise InputNotFoundError("no such folder", subject=images, hint="check --images")
    with _unpacked(source, into) as folder:
        name = detect_format(folder) if fmt == "auto" else fmt
        incoming = FORMATS[name].read(folder)
        if images is not None:
            _locate(incoming, images)
        report = merge_labels(into, incoming, split=split)
    verb = "made" if report.created else "merged into"
    parts = [
        f"{len(incoming.images)} images ({name}) {verb} {into}: {report.added} added, "
        f"{report.updated} updated, {report.unchanged} unchanged"
    ]
    if report.duplicates:
        parts.append(f"{report.duplicates} found under another name")
    if report.missing:
        parts.append(f"{len(report.missing)} skipped (no image file)")
    parts.append(f"boxes {report.boxes_before} → {report.boxes_after}")
    if report.new_classes:
        parts.append(f"new classes: {', '.join(report.new_classes)}")
    typer.echo("; ".join(parts))


@contextlib.contextmanager
def _unpacked(source: Path, into: Path) -> Iterator[Path]:
    """``source``, or the folder a ``.zip`` of it (CVAT's export) is unpacked into."""
    if source.suffix.lower() != ".zip":
        yield source
        return
    if not source.is_file():
        raise InputNotFoundError("no such file", subject=source, hint="check the path")
    # Unpacked beside the dataset, so its images can be hard-linked in rather than copied.
    parent = into.resolve().parent
    with tempfile.TemporaryDirectory(
        prefix=".import-", dir=parent if parent.is_dir() else None
    ) as temporary:
        try:
            with zipfile.ZipFile(source) as archive:
                archive.extractall(temporary)  # drops absolute and ".." parts of names
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(
                f"cannot unpack the archive ({exc})", subject=source, hint="download it again"
            ) from None
        yield Path(temporary)


def _locate(labels: LabelSet, images: Path) -> None:
    """Point images whose file is missing at the file of the same name under ``images``."""
    finder = ImageFinder(images, prefixes=("images",))
    for image in labels.images:
        if not image.image.is_file():
            found = finder.find(image.name)
            if found is not None:
                image.image = found


def register(app: typer.Typer) -> None:
    """Add ``import-labels`` to ``app``."""
    app.command("import-labels")(import_labels_command)
