"""Frame-level results: a frame's detections plus what is said about the frame as a whole.

Stages of a cascade pass a :class:`FrameOutput` along: a detector adds boxes, a reader fills
columns of existing boxes, a tagger adds ``tags``, a feature extractor named ``features``, a
scene encoder the frame's ``embedding``. ``source_id`` says which file or camera it came from.

Example:
    >>> import numpy as np
    >>> out = FrameOutput.empty("cam0").with_tags(("day", 0.9)).with_features(
    ...     {"brightness": 0.5})
    >>> out.tags, out.feature("brightness"), len(out.detections)
    ((('day', 0.9),), 0.5, 0)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from framewise.core.detections import Detections, FloatArray


def _vector(values: Any, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float32)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector, got shape {array.shape}")
    return array


@dataclass(frozen=True)
class FrameOutput:
    """Everything the stages found in one frame.

    Attributes:
        detections: The boxes and their columns.
        tags: ``(name, score)`` pairs for the whole frame (a scene, a task, a weather).
        features: A 1-D float32 vector of named values, one per ``feature_names`` entry.
        feature_names: The name of each entry of ``features`` (distinct).
        embedding: A 1-D float32 vector for the whole frame (``None``: none computed).
        source_id: Which file or camera the frame came from.
    """

    detections: Detections = field(default_factory=Detections.empty)
    tags: tuple[tuple[str, float], ...] = ()
    features: FloatArray = field(default_factory=lambda: np.zeros(0, np.float32))
    feature_names: tuple[str, ...] = ()
    embedding: FloatArray | None = None
    source_id: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.detections, Detections):
            raise TypeError(f"detections must be Detections, not {type(self.detections)}")
        tags = tuple((str(name), float(score)) for name, score in self.tags)
        features = _vector(self.features, "features")
        names = tuple(self.feature_names)
        if len(names) != len(features):
            raise ValueError(f"{len(features)} features but {len(names)} feature names")
        if len(set(names)) != len(names):
            raise ValueError(f"feature names repeat: {sorted(names)}")
        embedding = None if self.embedding is None else _vector(self.embedding, "embedding")
        object.__setattr__(self, "tags", tags)
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "feature_names", names)
        object.__setattr__(self, "embedding", embedding)

    @classmethod
    def empty(cls, source_id: str = "") -> FrameOutput:
        """Nothing found yet in a frame of ``source_id``."""
        return cls(source_id=source_id)

    def replace(self, **changes: Any) -> FrameOutput:
        """A copy with some fields replaced (validated again)."""
        return dataclasses.replace(self, **changes)

    def with_detections(self, detections: Detections) -> FrameOutput:
        """A copy whose detections are ``detections``."""
        return self.replace(detections=detections)

    def with_tags(self, *tags: tuple[str, float]) -> FrameOutput:
        """A copy with ``tags`` added after the existing ones."""
        return self.replace(tags=self.tags + tuple(tags))

    def with_features(self, values: Mapping[str, float]) -> FrameOutput:
        """A copy with named features added; a name already present is replaced."""
        merged = dict(zip(self.feature_names, self.features.tolist(), strict=True))
        merged.update({str(k): float(v) for k, v in values.items()})
        return self.replace(
            features=np.array(list(merged.values()), np.float32),
            feature_names=tuple(merged),
        )

    def feature(self, name: str) -> float:
        """The value of feature ``name``.

        Raises:
            KeyError: No feature has that name.
        """
        if name not in self.feature_names:
            raise KeyError(f"no feature {name!r}; the frame has {list(self.feature_names)}")
        return float(self.features[self.feature_names.index(name)])

    def tag_scores(self) -> dict[str, float]:
        """Tags as ``{name: score}`` (a repeated name keeps its highest score)."""
        scores: dict[str, float] = {}
        for name, score in self.tags:
            scores[name] = max(score, scores.get(name, score))
        return scores
