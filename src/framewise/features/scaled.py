"""Features of scaled clips (workflow W4, stage 4): the handcrafted 15 plus 6 scale-aware ones.

Per frame, on the luma ``g`` of each sampled frame (averaged over frames unless said):

16. ``edge_density`` = share of Canny edge pixels (thresholds 100, 200)
17. ``edge_preservation`` = mean |∇g'| / mean |∇g|, ``g'`` the frame halved and doubled again
    (bilinear): how much edge detail survives a resample; near 1 for a picture already
    upscaled from a smaller one, lower for native detail
18. ``texture_uniformity`` = 1 / (1 + std / mean of the variances of 8×8 blocks)
19. ``artefact_visibility`` = mean |r| within 2 px of an edge / mean |r| elsewhere, ``r`` the
    noise residual of :mod:`~framewise.features.handcrafted` (ringing beside edges)
20. ``chroma_temporal_std`` = std over frames of the mean Cb and Cr (averaged): colour that
    drifts through a clip
21. ``chroma_spatial_std`` = mean over frames of the std of Cb and Cr within a frame

Then the scaling flags: 22. ``is_upscaled``, 23. ``is_downscaled`` (from stage 3's table).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from framewise.features.frames import RGB, sampled_frames
from framewise.features.handcrafted import (
    F64,
    HANDCRAFTED,
    codec_features,
    frame_features,
    luma,
)

SCALED_ONLY = (
    "edge_density",
    "edge_preservation",
    "texture_uniformity",
    "artefact_visibility",
    "chroma_temporal_std",
    "chroma_spatial_std",
)
FLAGS = ("is_upscaled", "is_downscaled")
SCALED = HANDCRAFTED + SCALED_ONLY + FLAGS
"""The names of :func:`scaled_clip_features`' values, in order."""


def _ratio(top: float, bottom: float) -> float:
    return float(top / bottom) if bottom > 1e-12 else 0.0


def _gradient(gray: np.ndarray) -> float:
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    return float(np.sqrt(gx.astype(np.float64) ** 2 + gy.astype(np.float64) ** 2).mean())


def scale_aware(rgb: RGB) -> tuple[list[float], tuple[float, float], float]:
    """Features 16-19 of a frame, its mean (Cb, Cr), and its mean chroma std."""
    gray = luma(rgb)
    h, w = gray.shape
    edges = cv2.Canny(gray.astype(np.uint8), 100, 200) > 0
    small = cv2.resize(gray, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_LINEAR)
    again = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    bh, bw = (h // 8) * 8, (w // 8) * 8
    blocks = gray[:bh, :bw].reshape(bh // 8, 8, bw // 8, 8).transpose(0, 2, 1, 3)
    variances = blocks.reshape(-1, 64).astype(np.float64).var(axis=1)
    cv = _ratio(float(variances.std()), float(variances.mean())) if variances.size else 0.0
    residual = np.abs(gray - cv2.medianBlur(gray, 3))
    near = cv2.dilate(edges.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    inside = float(residual[near].mean()) if near.any() else 0.0
    outside = float(residual[~near].mean()) if (~near).any() else 0.0
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).astype(np.float64)
    chroma = (float(ycc[..., 2].mean()), float(ycc[..., 1].mean()))
    values = [
        float(edges.mean()),
        _ratio(_gradient(again), _gradient(gray)),
        1.0 / (1.0 + cv),
        _ratio(inside, outside),
    ]
    return values, chroma, float((ycc[..., 1].std() + ycc[..., 2].std()) / 2)


def _aggregate(frames: Iterable[RGB]) -> tuple[F64, F64]:
    base, extra, chromas, spatial = [], [], [], []
    for rgb in frames:
        base.append(frame_features(rgb))
        values, chroma, spread = scale_aware(rgb)
        extra.append(values)
        chromas.append(chroma)
        spatial.append(spread)
    if not base:
        return np.zeros(12), np.zeros(len(SCALED_ONLY))
    temporal = float(np.asarray(chromas).std(axis=0).mean())
    extras = np.asarray(extra).mean(axis=0)
    return np.mean(base, axis=0), np.concatenate([extras, [temporal, float(np.mean(spatial))]])


def scaled_clip_features(
    path: Path, frames: int = 6, *, upscaled: bool = False, downscaled: bool = False
) -> F64:
    """The 23 features (:data:`SCALED`) of a scaled clip.

    Raises:
        InputError: The clip cannot be read.
        ValueError: A feature is not finite.
    """
    base, extra = _aggregate(rgb for _, rgb in sampled_frames(path, frames))
    flags = [float(upscaled), float(downscaled)]
    values = np.concatenate([base, codec_features(path), extra, flags])
    if not np.isfinite(values).all():
        bad = [n for n, v in zip(SCALED, values, strict=True) if not np.isfinite(v)]
        raise ValueError(f"features not finite: {', '.join(bad)}")
    return values
