"""CVAT for images 1.1: ``annotations.xml`` plus ``images/NAME``, written and read.

The file is laid out like CVAT's own project export, whose splits are CVAT subsets::

    <annotations>
      <version>1.1</version>
      <meta><project>…<labels><label><name>kill_feed</name>…</label></labels>
        <tasks><task>…<subset>train</subset></task>…</tasks></project></meta>
      <image id="0" name="a.jpg" subset="train" width="1280" height="720">
        <box label="kill_feed" source="auto" occluded="0" xtl="…" ytl="…" xbr="…" ybr="…"
             z_order="0"></box>
      </image>
    </annotations>

CVAT names a subset per image only in project exports, and readers such as datumaro drop
images whose subset disagrees with the meta, so the meta is a project with one task per split.
Boxes from a model are ``source="auto"``, boxes a person drew ``source="manual"``.

Reading takes task, job and project exports alike. The XML comes from outside, so it is
parsed with defusedxml (no entity expansion, no DTDs). Shapes other than boxes (polygons,
points, masks, tracks of the video format) are skipped with one counted warning.
"""

from __future__ import annotations

import logging
import math
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]

from framewise.core.atomic import atomic_open
from framewise.core.errors import InputError, InputNotFoundError
from framewise.datasets.formats.files import (
    ImageFinder,
    check_names,
    check_sizes,
    check_splits,
    class_names,
    drawable_boxes,
    image_size,
    normalise_split,
    place_image,
    prepare_output,
)
from framewise.datasets.labels import Box, LabelledImage, LabelSet

log = logging.getLogger(__name__)

ANNOTATIONS_XML = "annotations.xml"
_SHAPES = ("polygon", "polyline", "points", "mask", "ellipse", "cuboid", "skeleton", "tag")


def write_cvat(labels: LabelSet, out: Path, overwrite: bool = False) -> Path:
    """Write ``labels`` as CVAT for images 1.1 in ``out``; returns ``annotations.xml``.

    Raises:
        ConfigError: ``out`` already holds annotations and ``overwrite`` is false, two
            images share a file name, or an image has an unknown split.
        InputError: An image file is missing or not of the size its labels say.
        OutputError: ``out`` cannot be written.
    """
    check_names(labels)
    splits = [s for s in check_splits(labels) if labels.in_split(s)] or ["train"]
    check_sizes(labels)
    prepare_output(out, overwrite, labels, (ANNOTATIONS_XML, "images"), "CVAT annotations")
    target = out / ANNOTATIONS_XML
    names = class_names(labels)
    root = ET.Element("annotations")
    ET.SubElement(root, "version").text = "1.1"
    root.append(_meta(labels, names, splits, out.name))
    # Ids in file-name order: CVAT numbers a task's frames by sorted file name, and older
    # CVAT versions match an uploaded <image> to a frame by its id.
    for number, image in enumerate(sorted(labels.images, key=lambda i: i.name)):
        place_image(image.image, out / "images" / image.name)
        element = ET.SubElement(
            root,
            "image",
            id=str(number),
            name=image.name,
            subset=image.split,
            width=str(image.width),
            height=str(image.height),
        )
        for box in drawable_boxes(image):
            ET.SubElement(
                element,
                "box",
                label=box.label,
                source="manual" if box.score is None else "auto",
                occluded="0",
                xtl=f"{box.x1:.2f}",
                ytl=f"{box.y1:.2f}",
                xbr=f"{box.x2:.2f}",
                ybr=f"{box.y2:.2f}",
                z_order="0",
            )
    ET.indent(root, space="  ")
    with atomic_open(target, "wb") as handle:
        ET.ElementTree(root).write(handle, encoding="utf-8", xml_declaration=True)
    return target


def _meta(labels: LabelSet, names: list[str], splits: list[str], title: str) -> ET.Element:
    now = datetime.now(UTC).isoformat()
    meta = ET.Element("meta")
    project = ET.SubElement(meta, "project")
    _fields(project, id="0", name=title or "framewise", created=now, updated=now)
    label_list = ET.SubElement(project, "labels")
    for name in names:
        label = ET.SubElement(label_list, "label")
        ET.SubElement(label, "name").text = name
        ET.SubElement(label, "type").text = "any"
        ET.SubElement(label, "attributes")
    tasks = ET.SubElement(project, "tasks")
    for number, split in enumerate(splits):
        _fields(
            ET.SubElement(tasks, "task"),
            id=str(number),
            name=f"{title or 'framewise'} {split}",
            size=str(len(labels.in_split(split))),
            mode="annotation",
            overlap="0",
            subset=split,
        )
    _fields(meta, dumped=now)
    return meta


def _fields(parent: ET.Element, **values: str) -> None:
    """Child elements holding text, in the order given."""
    for key, value in values.items():
        ET.SubElement(parent, key).text = value


def read_cvat(path: Path) -> LabelSet:
    """Read CVAT for images 1.1 (the XML file, or a folder holding ``annotations.xml``).

    Images are looked up relative to the XML's folder (``images/NAME``, ``NAME``, else by
    base name anywhere below it). An image that is not there keeps the path it would have:
    labels for images already in a dataset need no image files.

    Raises:
        InputNotFoundError: There is no such file.
        InputError: The XML is malformed, unsafe, or not CVAT for images.
    """
    xml_file = path / ANNOTATIONS_XML if path.is_dir() else path
    if not xml_file.is_file():
        raise InputNotFoundError(
            "no CVAT annotations here", subject=xml_file, hint="export 'CVAT for images 1.1'"
        )
    root = _parse(xml_file)
    if root.tag != "annotations":
        raise InputError(
            f"not CVAT XML: the root element is <{root.tag}>",
            subject=xml_file,
            hint="export the task as 'CVAT for images 1.1'",
        )
    names: list[str] = []
    meta = root.find("meta")
    if meta is not None:  # task, job and project exports nest labels differently
        for label in meta.iter("label"):
            name = (label.findtext("name") or "").strip()
            if name and name not in names:
                names.append(name)
    labels = LabelSet(names=names)
    finder = ImageFinder(xml_file.parent)
    skipped: Counter[str] = Counter()
    for element in root.iter("image"):
        labels.images.append(_read_image(element, xml_file, finder, labels, skipped))
    tracks = len(root.findall("track"))
    if tracks and not labels.images:
        raise InputError(
            "this is CVAT for video (tracks), not CVAT for images",
            subject=xml_file,
            hint="export the task as 'CVAT for images 1.1'",
        )
    if tracks:
        skipped["track"] = tracks
    if skipped:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(skipped.items()))
        log.warning("%s: skipped shapes that are not boxes: %s", xml_file, kinds)
    return labels


def _parse(xml_file: Path) -> ET.Element:
    try:
        tree = SafeET.parse(str(xml_file))
    except ET.ParseError as exc:
        raise InputError(
            f"malformed XML ({exc})", subject=xml_file, hint="export the annotations again"
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise InputError(
            f"refused unsafe XML ({exc})", subject=xml_file, hint="remove the DTD and entities"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", subject=xml_file) from None
    root: ET.Element = tree.getroot()
    return root


def _read_image(
    element: ET.Element,
    xml_file: Path,
    finder: ImageFinder,
    labels: LabelSet,
    skipped: Counter[str],
) -> LabelledImage:
    name = element.get("name") or f"frame_{int(element.get('id', '0')):06d}.png"
    image_file = finder.guess(name)
    try:
        width, height = int(element.get("width", "")), int(element.get("height", ""))
    except ValueError:
        if not image_file.is_file():
            raise InputError(
                f"image {name!r} has no width and height and its file is missing",
                subject=xml_file,
                hint="put the images beside the XML in images/",
            ) from None
        width, height = image_size(image_file)
    image = LabelledImage(
        image_file, width, height, split=normalise_split(element.get("subset")), origin="imported"
    )
    for child in element:
        if child.tag == "box":
            label = child.get("label") or ""
            labels.class_id(label)
            image.boxes.append(_box(child, label, xml_file))
        elif child.tag in _SHAPES:
            skipped[child.tag] += 1
    return image


def _box(element: ET.Element, label: str, xml_file: Path) -> Box:
    try:
        x1, y1, x2, y2 = (float(element.get(k, "")) for k in ("xtl", "ytl", "xbr", "ybr"))
        rotation = float(element.get("rotation", "0"))
    except ValueError:
        raise InputError(
            f"a box of {label!r} has a coordinate that is not a number",
            subject=xml_file,
            hint="export the annotations again",
        ) from None
    if rotation:
        # A rotated box: train on the upright box around it.
        cx, cy, half_w, half_h = (x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / 2, (y2 - y1) / 2
        cos, sin = abs(math.cos(math.radians(rotation))), abs(math.sin(math.radians(rotation)))
        reach_x, reach_y = half_w * cos + half_h * sin, half_w * sin + half_h * cos
        x1, y1, x2, y2 = cx - reach_x, cy - reach_y, cx + reach_x, cy + reach_y
    return Box(label, x1, y1, x2, y2)
