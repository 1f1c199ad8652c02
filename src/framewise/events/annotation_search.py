"""Search annotated video by text: CLIP text–image similarity over the written embeddings.

The reason people keep CLIP features: a text query embedded by the same CLIP checkpoint is
compared (cosine, the vectors are L2-normalised) with every frame's scene embedding and every
object's crop embedding of an index folder — one video's annotation folder, or a folder of
them as ``framewise annotate --output`` writes — and the best matches come back with their
video, time and box. The checkpoint is the one the run's ``clip_features`` stage used (read
from the run folder's ``config.yaml``) unless another is given.

Example:
    >>> hits = search_annotations("a red car", Path("annotations"), top=5)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from framewise.core.errors import ConfigError, InputError
from framewise.detectors.clip_features import ClipEncoder
from framewise.events.annotations import ANNOTATIONS_NAME, AnnotationIndex, read_annotations

CONFIG_NAME = "config.yaml"  # the run folder's resolved config (framewise.pipeline.rundir)


@dataclass(frozen=True)
class SearchHit:
    """One match: a whole frame (``object_id`` None) or one object in it.

    Attributes:
        score: Cosine similarity of the query and the embedding.
        video: The video file the annotations came from.
        folder: The annotation folder.
        frame_number: The frame's index.
        timestamp: The frame's time in seconds.
        object_id: The object's id (``None`` for a whole frame).
        label: The object's label (``None`` for a whole frame).
        box: The object's ``xyxy`` box (``None`` for a whole frame).
    """

    score: float
    video: str
    folder: Path
    frame_number: int
    timestamp: float
    object_id: str | None = None
    label: str | None = None
    box: tuple[float, float, float, float] | None = None


def index_folders(index: Path) -> list[Path]:
    """The annotation folders under ``index`` (itself, or its sub-folders).

    Raises:
        InputError: None is there.
    """
    if (index / ANNOTATIONS_NAME).is_file():
        return [index]
    found = sorted(p.parent for p in index.glob(f"*/{ANNOTATIONS_NAME}"))
    if not found:
        raise InputError(
            f"no {ANNOTATIONS_NAME} here or in its sub-folders",
            subject=index,
            hint="give the --output folder of `framewise annotate`",
        )
    return found


def clip_model_of(folder: Path) -> str:
    """The ``clip_features`` model a run folder's resolved config names.

    Raises:
        ConfigError: The run had no ``clip_features`` stage (give ``--model``).
    """
    path = folder / CONFIG_NAME
    config: Any = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    # The run folder nests the pipeline under "config" (beside the run's parameters).
    body = config.get("config", config) if isinstance(config, dict) else None
    stages = body.get("detectors", []) if isinstance(body, dict) else []
    for stage in stages:
        if isinstance(stage, dict) and stage.get("kind") == "clip_features":
            return str(stage["model"])
    raise ConfigError(
        "the run names no clip_features model",
        subject=path,
        hint="pass --model with the CLIP folder the embeddings were made with",
    )


def _hits(index: AnnotationIndex, query: np.ndarray) -> list[SearchHit]:
    video = str(index.document.get("video", {}).get("path", ""))
    hits = []
    frame_scores = index.frame_vectors @ query if index.frame_vectors.size else np.zeros(0)
    object_scores = index.object_vectors @ query if index.object_vectors.size else np.zeros(0)
    for frame in index.frames:
        where = (video, index.folder, int(frame["frame_number"]), float(frame["timestamp"]))
        if frame.get("embedding_row") is not None:
            hits.append(SearchHit(float(frame_scores[frame["embedding_row"]]), *where))
        for det in frame["detections"]:
            if det.get("embedding_row") is None:
                continue
            x1, y1, x2, y2 = (float(v) for v in det["box"])
            score = float(object_scores[det["embedding_row"]])
            hits.append(SearchHit(score, *where, det["id"], det["label"], (x1, y1, x2, y2)))
    return hits


def search_annotations(
    text: str,
    index: Path,
    *,
    model: str | None = None,
    top: int = 10,
    device: str = "auto",
    kind: str = "all",
) -> list[SearchHit]:
    """The ``top`` frames and objects of ``index`` most like ``text``, best first.

    Args:
        text: The query, e.g. ``"a red car"``.
        index: An annotation folder or a folder of them.
        model: The CLIP folder or cached id (default: the first run's ``clip_features``).
        top: How many hits.
        device: Where the text encoder runs.
        kind: ``all``, ``frames`` or ``objects``.
    """
    folders = index_folders(index)
    encoder = ClipEncoder(model or clip_model_of(folders[0]), device)
    [query] = encoder.text_embeddings([text])
    hits = [hit for folder in folders for hit in _hits(read_annotations(folder), query)]
    if kind != "all":
        hits = [h for h in hits if (h.object_id is None) == (kind == "frames")]
    hits.sort(key=lambda h: (-h.score, h.video, h.timestamp, h.object_id or ""))
    return hits[:top]
