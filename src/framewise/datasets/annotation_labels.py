"""Annotated video (``framewise annotate``'s folders) as a :class:`LabelSet`, masks included.

Each annotated frame with at least one detection becomes an image: the picture is decoded
from the video at the frame's PTS time (seek to the keyframe before, decode forward), its
boxes keep the detector's label and score, and an object's COCO RLE mask rides along, so
``framewise export --format coco`` writes instance masks other tools read (pycocotools,
CVAT). Whole videos go to ``val`` (by session, as event exports split), never single frames.

Example:
    >>> labels = labels_from_annotations([Path("annotations/street")], Path("frames"))
    ... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2

from framewise.core.errors import InputError, OutputError
from framewise.datasets.labels import Box, LabelledImage, LabelSet
from framewise.events.annotation_search import index_folders
from framewise.events.annotations import read_annotations
from framewise.sources.stills import pictures_at


def annotation_folders(paths: Sequence[Path]) -> list[Path] | None:
    """The annotation folders ``paths`` stand for, or ``None`` when they are not all such."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            return None
        try:
            found += index_folders(path)
        except InputError:
            return None
    return found


def _box(det: dict[str, Any]) -> Box:
    x1, y1, x2, y2 = (float(v) for v in det["box"])
    rle = det.get("mask")
    mask = None if not rle else (int(rle["size"][0]), int(rle["size"][1]), str(rle["counts"]))
    return Box(det["label"], x1, y1, x2, y2, float(det["score"]), mask)


def _images(folder: Path, staging: Path, min_confidence: float) -> list[LabelledImage]:
    """One video's annotated frames with boxes, their pictures written to ``staging``."""
    index = read_annotations(folder)
    video = Path(str(index.document["video"]["path"]))
    frames = [
        (f, boxes)
        for f in index.frames
        if (boxes := [_box(d) for d in f["detections"] if d["score"] >= min_confidence])
    ]
    if not frames:
        return []
    by_time = {float(f["timestamp"]): (f, boxes) for f, boxes in frames}
    images = []
    pictures = pictures_at(video, list(by_time))
    try:
        for seconds, picture in pictures:
            frame, boxes = by_time[seconds]
            path = staging / f"{folder.name}_{int(frame['frame_number']):06d}.jpg"
            if not cv2.imwrite(str(path), picture):
                raise OutputError("cannot write a frame picture", subject=path)
            height, width = picture.shape[:2]
            images.append(
                LabelledImage(
                    path, width, height, boxes, session=folder.name, seconds=seconds,
                    origin="imported",
                )
            )  # fmt: skip
    finally:
        pictures.close()
    return images


def labels_from_annotations(
    folders: Sequence[Path],
    staging: Path,
    *,
    names: Sequence[str] = (),
    min_confidence: float = 0.0,
    val_share: float = 0.0,
) -> LabelSet:
    """The labelled frames of ``folders`` (annotation folders, one per video).

    Args:
        folders: Annotation folders (``annotations.json`` + embeddings).
        staging: Where the decoded pictures are written.
        names: Class order (labels not in it are appended in order of appearance).
        min_confidence: Leave weaker boxes out.
        val_share: Share of the videos (sessions) kept for ``val``.

    Raises:
        InputError: A folder is not annotations, or its video cannot be read.
    """
    labels = LabelSet(list(names))
    sessions = sorted({folder.name for folder in folders})
    held_out = set(sessions[len(sessions) - round(len(sessions) * val_share) :])
    if len(sessions) < 2:
        held_out = set()  # one video cannot be split by session
    for folder in folders:
        for image in _images(folder, staging, min_confidence):
            image.split = "val" if image.session in held_out else "train"
            for box in image.boxes:
                labels.class_id(box.label)
            labels.images.append(image)
    return labels
