"""The 15 handcrafted forensic features of a clip (workflow W4, stage 2), vectorised.

Per frame, on the luma ``g`` (float, 0-255) of each sampled frame, averaged over frames:

Noise residual ``r = g − median₃ₓ₃(g)`` (what a denoiser removes; camera noise, or its
absence where a region was pasted or smoothed), with ``μ``, ``σ`` its mean and deviation:

1. ``noise_std`` = σ
2. ``noise_mean_abs`` = mean |r|
3. ``noise_skew`` = mean((r − μ)³) / σ³
4. ``noise_kurtosis`` = mean((r − μ)⁴) / σ⁴
5. ``noise_energy_ratio`` = Σ r² / Σ (g − ḡ)²

DCT of 8×8 blocks ``X = C·B·Cᵀ`` (orthonormal DCT-II, the codec's transform; OpenCV's):

6. ``dct_hf_ratio`` = Σ_{u+v≥8} X² / Σ_{(u,v)≠(0,0)} X² (share of high-frequency energy)
7. ``dct_ac_std`` = standard deviation of every AC coefficient
8. ``dct_zero_share`` = share of AC coefficients with |X| < 0.5 (quantised away)

Blur and sharpness:

9. ``laplacian_var`` = Var(∇²g) (3×3 Laplacian)
10. ``tenengrad`` = mean(G_x² + G_y²) (3×3 Sobel)

Boundary inconsistency:

11. ``blockiness`` = (mean |Δg| across 8-pixel block boundaries + 1) / (mean |Δg| elsewhere
    + 1) (first differences along rows and columns; the 1, one grey level, keeps flat blocks
    finite; 1 for an unblocked picture)
12. ``noise_inconsistency`` = std / mean of the residual's σ over 16×16 tiles (a pasted
    region carries another noise level than the frame around it)

Codec cues, per clip, from the first 5,000 packets (demux only):

13. ``bits_per_pixel`` = 8 · Σ packet bytes / (packets · width · height)
14. ``keyframe_share`` = keyframe packets / packets
15. ``packet_size_cv`` = std / mean of packet sizes

Every value is finite: flat frames give 0 where a ratio would divide by zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from framewise.features.frames import RGB, packet_sizes, sampled_frames

F64 = npt.NDArray[np.float64]

FRAME_FEATURES = (
    "noise_std",
    "noise_mean_abs",
    "noise_skew",
    "noise_kurtosis",
    "noise_energy_ratio",
    "dct_hf_ratio",
    "dct_ac_std",
    "dct_zero_share",
    "laplacian_var",
    "tenengrad",
    "blockiness",
    "noise_inconsistency",
)
CODEC_FEATURES = ("bits_per_pixel", "keyframe_share", "packet_size_cv")
HANDCRAFTED = FRAME_FEATURES + CODEC_FEATURES
"""The names of :func:`clip_features`' values, in order."""

_EPS = 1e-12


_HIGH = np.add.outer(np.arange(8), np.arange(8)) >= 8


def luma(rgb: RGB) -> npt.NDArray[np.float32]:
    """BT.601 luma of an RGB frame, float32 0-255."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return gray.astype(np.float32)


def _ratio(top: float, bottom: float) -> float:
    return float(top / bottom) if bottom > _EPS else 0.0


def _dct_blocks(gray: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """DCT of every whole 8×8 block, shape ``(blocks, v, u)`` (transposed per block).

    Two calls of OpenCV's row-wise DCT over the whole picture, no per-block loop: along each
    block's rows (every run of 8 pixels), then, after one transposing copy, along its columns.
    """
    h, w = (gray.shape[0] // 8) * 8, (gray.shape[1] // 8) * 8
    if not h or not w:
        return np.zeros((0, 8, 8), np.float32)
    picture = np.ascontiguousarray(gray[:h, :w])
    rows = cv2.dct(picture.reshape(-1, 8), flags=cv2.DCT_ROWS)
    columns = rows.reshape(h // 8, 8, w // 8, 8).transpose(0, 2, 3, 1)
    done = cv2.dct(np.ascontiguousarray(columns).reshape(-1, 8), flags=cv2.DCT_ROWS)
    return done.reshape(-1, 8, 8).astype(np.float32, copy=False)


def block_dct(gray: npt.NDArray[np.float32]) -> F64:
    """DCT coefficients of every whole 8×8 block, shape ``(blocks, 8, 8)`` (row-major)."""
    coeffs: F64 = _dct_blocks(gray).transpose(0, 2, 1).astype(np.float64)
    return coeffs


def _dct_stats(gray: npt.NDArray[np.float32]) -> tuple[float, float, float]:
    """Features 6-8: high-frequency share of AC energy, AC deviation, share of AC zeros."""
    coeffs = _dct_blocks(gray)
    blocks = len(coeffs)
    if not blocks:
        return 0.0, 0.0, 0.0
    # Energy per (v, u) position; the high-frequency mask (u + v ≥ 8) is symmetric.
    by_uv = np.einsum("nij,nij->ij", coeffs, coeffs).astype(np.float64)
    dc = coeffs[:, 0, 0]
    ac_energy = float(by_uv.sum() - by_uv[0, 0])
    high = float(by_uv[_HIGH].sum())
    count = blocks * 63
    mean = (float(coeffs.sum(dtype=np.float64)) - float(dc.sum(dtype=np.float64))) / count
    deviation = math.sqrt(max(ac_energy / count - mean * mean, 0.0))
    zeros = int(np.count_nonzero(np.abs(coeffs) < 0.5)) - int(np.count_nonzero(np.abs(dc) < 0.5))
    return _ratio(high, ac_energy), deviation, zeros / count


def _tile_std(residual: npt.NDArray[np.float32], tile: int = 16) -> F64:
    """The residual's deviation in each whole ``tile × tile`` tile.

    Tile means of ``r`` and ``r²`` by OpenCV's area resize (an exact block average at an
    integer factor), then ``σ = √(E[r²] − E[r]²)``.
    """
    h, w = (residual.shape[0] // tile) * tile, (residual.shape[1] // tile) * tile
    if not h or not w:
        return np.zeros(0)
    part = np.ascontiguousarray(residual[:h, :w])
    size = (w // tile, h // tile)
    mean = cv2.resize(part, size, interpolation=cv2.INTER_AREA).astype(np.float64)
    square = cv2.resize(part * part, size, interpolation=cv2.INTER_AREA).astype(np.float64)
    out: F64 = np.sqrt(np.maximum(square - mean * mean, 0.0)).ravel()
    return out


def _variance(image: npt.NDArray[Any]) -> float:
    _, deviation = cv2.meanStdDev(image)
    return float(deviation[0, 0]) ** 2


def _blockiness(gray: npt.NDArray[np.float32]) -> float:
    across, down = np.abs(np.diff(gray, axis=1)), np.abs(np.diff(gray, axis=0))
    edge = float(across[:, 7::8].sum(dtype=np.float64) + down[7::8].sum(dtype=np.float64))
    edge_n = across[:, 7::8].size + down[7::8].size
    inner = float(across.sum(dtype=np.float64) + down.sum(dtype=np.float64)) - edge
    inner_n = across.size + down.size - edge_n
    if not edge_n or not inner_n:
        return 1.0
    return float((edge / edge_n + 1.0) / (inner / inner_n + 1.0))


def frame_features(rgb: RGB) -> F64:
    """The 12 per-frame features (:data:`FRAME_FEATURES`) of one RGB frame."""
    gray = luma(rgb)
    residual = gray - cv2.medianBlur(gray, 3)
    mu = float(residual.mean(dtype=np.float64))
    centred = residual - np.float32(mu)
    squared = centred * centred  # products, not **: NumPy's float32 pow is ~50× slower
    sigma = math.sqrt(float(squared.mean(dtype=np.float64)))
    spread = _variance(gray) * gray.size
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    tiles = _tile_std(residual)
    energy = float((residual * residual).sum(dtype=np.float64))
    values = [
        sigma,
        float(np.abs(residual).mean(dtype=np.float64)),
        _ratio(float((squared * centred).mean(dtype=np.float64)), sigma**3),
        _ratio(float((squared * squared).mean(dtype=np.float64)), sigma**4),
        _ratio(energy, spread),
        *_dct_stats(gray),
        _variance(cv2.Laplacian(gray, cv2.CV_32F, ksize=1)),
        float((gx * gx + gy * gy).mean(dtype=np.float64)),
        _blockiness(gray),
        _ratio(float(tiles.std()), float(tiles.mean())) if tiles.size else 0.0,
    ]
    return np.asarray(values, dtype=np.float64)


def codec_features(path: Path) -> F64:
    """The 3 codec cues (:data:`CODEC_FEATURES`) of a clip, from its packets."""
    sizes, keys, pixels = packet_sizes(path)
    if not sizes.size or not pixels:
        return np.zeros(len(CODEC_FEATURES))
    return np.asarray(
        [
            8 * float(sizes.mean()) / pixels,
            keys / sizes.size,
            _ratio(float(sizes.std()), float(sizes.mean())),
        ]
    )


def mean_features(frames: Iterable[RGB]) -> F64:
    """The per-frame features averaged over ``frames`` (zeros when there are none)."""
    total = np.zeros(len(FRAME_FEATURES))
    count = 0
    for rgb in frames:
        total += frame_features(rgb)
        count += 1
    return total / max(count, 1)


def clip_features(path: Path, frames: int = 6) -> F64:
    """The 15 features (:data:`HANDCRAFTED`) of a clip, over ``frames`` frames sampled by time.

    Raises:
        InputError: The clip cannot be read.
        ValueError: A feature is not finite (a bug: every formula guards its divisions).
    """
    per_frame = mean_features(rgb for _, rgb in sampled_frames(path, frames))
    values = np.concatenate([per_frame, codec_features(path)])
    if not np.isfinite(values).all():
        bad = [n for n, v in zip(HANDCRAFTED, values, strict=True) if not np.isfinite(v)]
        raise ValueError(f"features not finite: {', '.join(bad)}")
    return values
