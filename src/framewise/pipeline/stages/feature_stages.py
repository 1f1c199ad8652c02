"""Stages 2 and 4: handcrafted features of every clip, and of every scaled clip.

Each row's vector is written twice: as a list column of the stage's table (what training
reads) and as a ``.npy`` file in the stage's folder (what the seed's users load by hand).
The feature names are :data:`framewise.features.handcrafted.HANDCRAFTED` and
:data:`framewise.features.scaled.SCALED`, in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from framewise.core.atomic import atomic_open
from framewise.features.handcrafted import clip_features
from framewise.features.scaled import scaled_clip_features
from framewise.pipeline.stages.base import Row, RowContext
from framewise.pipeline.stages.params import FeaturesParams, ScaledFeaturesParams

HAND_COLUMN = "hand_features"
SCALED_COLUMN = "scaled_features"


def _save(values: np.ndarray, ctx: RowContext) -> str:
    path = ctx.output_path(".npy")
    with atomic_open(path, "wb", encoding=None) as handle:
        np.save(handle, values)
    return ctx.relative(path)


class FeaturesStage:
    """Stage 2 (see the module docstring)."""

    def __init__(self, params: FeaturesParams) -> None:
        self.params = params

    def source_rows(self) -> Sequence[Row] | None:
        """It reads its input stage's table."""
        return None

    def run_row(self, row: Mapping[str, Any], ctx: RowContext) -> list[Row]:
        """The 15 features of the row's clip."""
        values = clip_features(ctx.resolve(str(row["path"])), self.params.frames)
        return [{HAND_COLUMN: values.tolist(), "hand_features_file": _save(values, ctx)}]


class ScaledFeaturesStage:
    """Stage 4 (see the module docstring)."""

    def __init__(self, params: ScaledFeaturesParams) -> None:
        self.params = params

    def source_rows(self) -> Sequence[Row] | None:
        """It reads its input stage's table (stage 3's scaled clips)."""
        return None

    def run_row(self, row: Mapping[str, Any], ctx: RowContext) -> list[Row]:
        """The 23 features of the row's scaled clip."""
        values = scaled_clip_features(
            ctx.resolve(str(row["path"])),
            self.params.frames,
            upscaled=bool(row.get("is_upscaled")),
            downscaled=bool(row.get("is_downscaled")),
        )
        return [{SCALED_COLUMN: values.tolist(), "scaled_features_file": _save(values, ctx)}]
