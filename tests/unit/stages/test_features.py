"""Handcrafted and scaled features: formulas against OpenCV, and pictures that must differ."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from framewise.features.handcrafted import FRAME_FEATURES, block_dct, frame_features, luma
from framewise.features.scaled import SCALED, SCALED_ONLY, scale_aware
from framewise.pipeline.stages.scale import letterbox, letterbox_size


def _picture(seed: int = 0, size: tuple[int, int] = (96, 128)) -> npt.NDArray[np.uint8]:
    rng = np.random.default_rng(seed)
    base = cv2.resize(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8), size[::-1])
    noise = rng.normal(0, 6, base.shape)
    picture: npt.NDArray[np.uint8] = np.clip(base + noise, 0, 255).astype(np.uint8)
    return picture


def _feature(rgb: np.ndarray, name: str) -> float:
    return float(frame_features(rgb)[FRAME_FEATURES.index(name)])


def test_block_dct_matches_opencv_per_block() -> None:
    gray = luma(_picture())
    coeffs = block_dct(gray)
    assert coeffs.shape == (12 * 16, 8, 8)
    np.testing.assert_allclose(coeffs[17], cv2.dct(gray[8:16, 8:16]), atol=1e-3)


def test_flat_frames_give_finite_zeros() -> None:
    values = frame_features(np.full((64, 64, 3), 128, np.uint8))
    assert np.isfinite(values).all()
    assert _feature(np.full((64, 64, 3), 128, np.uint8), "noise_std") == 0.0


def test_noise_blur_and_blocks_move_their_features() -> None:
    clean = _picture()
    noisy = np.clip(clean + np.random.default_rng(1).normal(0, 20, clean.shape), 0, 255)
    noisy = noisy.astype(np.uint8)
    assert _feature(noisy, "noise_std") > 2 * _feature(clean, "noise_std")
    blurred = cv2.GaussianBlur(clean, (7, 7), 2.0)
    assert _feature(blurred, "laplacian_var") < _feature(clean, "laplacian_var") / 4
    assert _feature(blurred, "tenengrad") < _feature(clean, "tenengrad")
    # 8×8 flat blocks: every change sits on a block boundary.
    blocky = cv2.resize(cv2.resize(clean, (16, 12)), (128, 96), interpolation=cv2.INTER_NEAREST)
    assert _feature(blocky, "blockiness") > 5 * _feature(clean, "blockiness")
    # A pasted patch with no noise makes the residual's level uneven across tiles.
    pasted = clean.copy()
    pasted[16:64, 32:96] = cv2.GaussianBlur(clean, (9, 9), 3)[16:64, 32:96]
    assert _feature(pasted, "noise_inconsistency") > _feature(clean, "noise_inconsistency")


def test_letterbox_keeps_the_aspect_and_flags_come_last() -> None:
    assert letterbox_size(1920, 1080, 256) == (256, 144)
    assert letterbox_size(100, 200, 256) == (128, 256)
    boxed = letterbox(_picture(), 64)
    assert boxed.shape == (64, 64, 3)
    assert not boxed[:8].any() and boxed[32].any()  # bars above, picture in the middle
    assert SCALED[-2:] == ("is_upscaled", "is_downscaled") and len(SCALED) == 23


def test_edge_preservation_is_higher_for_an_upscaled_picture() -> None:
    native = _picture(2, (128, 128))
    small = cv2.resize(native, (32, 32))
    upscaled = cv2.resize(small, (128, 128), interpolation=cv2.INTER_LINEAR).astype(np.uint8)
    index = SCALED_ONLY.index("edge_preservation")
    assert scale_aware(upscaled)[0][index] > scale_aware(native)[0][index]
