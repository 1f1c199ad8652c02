"""Masks as COCO RLE in the contract: carried undecoded, one per box, kept by select/merge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pycocotools import mask as coco_mask  # type: ignore[import-untyped]

from framewise.core.detections import Detections
from framewise.core.masks import RleMask, rle_counts
from framewise.core.results import FrameOutput
from framewise.events.journal import JournalEntry, JournalWriter, read_journal


def bitmaps(n: int, height: int = 6, width: int = 8) -> np.ndarray:
    masks = np.zeros((n, height, width), bool)
    for i in range(n):
        masks[i, i : i + 2, i : i + 3] = True
    return masks


def boxes(n: int, **columns: Any) -> Detections:
    xyxy = np.array([[i, i, i + 3, i + 2] for i in range(n)], np.float32)
    return Detections(
        xyxy, np.full(n, 0.5, np.float32), tuple(f"c{i}" for i in range(n)), **columns
    )


def test_rle_masks_round_trip_and_match_pycocotools() -> None:
    masks = bitmaps(3)
    dets = boxes(3, mask_rle=[RleMask.encode(m) for m in masks])
    assert dets.mask is None and dets.mask_rle is not None
    decoded = dets.bitmap_masks()
    assert decoded is not None and (decoded == masks).all()
    for rle, mask in zip(dets.mask_rle, masks, strict=True):
        theirs = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
        assert rle.counts == theirs["counts"].decode() and rle.area == int(mask.sum())
    # COCO dicts (compressed or list counts) are accepted and normalised to the string.
    raw = [{"size": [6, 8], "counts": rle_counts(m)} for m in masks]
    assert boxes(3, mask_rle=raw).mask_rle == dets.mask_rle
    as_bits = boxes(3, mask=masks)
    assert as_bits.rle_masks() == dets.mask_rle
    assert [a["segmentation"] for a in as_bits.as_coco(1, {f"c{i}": i for i in range(3)})] == [
        a["segmentation"] for a in dets.as_coco(1, {f"c{i}": i for i in range(3)})
    ]


@pytest.mark.parametrize(
    ("rles", "message"),
    [
        ([RleMask.encode(np.zeros((6, 8), bool))] * 2, "one RLE per box"),
        ([{"size": [6, 8], "counts": [40]}] * 3, "cover 40 pixels"),
        ([{"size": [6], "counts": [48]}] * 3, "height, width"),
        ([{"counts": [48]}] * 3, "'size'"),
        ([RleMask.empty(6, 8), RleMask.empty(6, 8), RleMask.empty(7, 8)], "different sizes"),
    ],
)
def test_bad_rle_columns_are_refused(rles: list[object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        boxes(3, mask_rle=rles)


def test_one_encoding_at_a_time_and_replace_switches_it() -> None:
    masks = bitmaps(2)
    with pytest.raises(ValueError, match="not both"):
        boxes(2, mask=masks, mask_rle=[RleMask.encode(m) for m in masks])
    rle = boxes(2, mask_rle=[RleMask.encode(m) for m in masks])
    as_bits = rle.replace(mask=masks)
    assert as_bits.mask_rle is None and as_bits.mask is not None
    assert as_bits.replace(mask_rle=rle.mask_rle).mask is None


def test_select_and_merge_keep_rle_masks() -> None:
    masks = bitmaps(3)
    rle = boxes(3, mask_rle=[RleMask.encode(m) for m in masks])
    picked = rle.select([2, 0])
    assert picked.mask_rle == (rle.mask_rle[2], rle.mask_rle[0])  # type: ignore[index]
    assert rle.select(np.array([False, True, False])).mask_rle == (rle.mask_rle[1],)  # type: ignore[index]
    # Merged with bitmaps and with boxes that have no masks: RLE throughout, bitmaps encoded.
    bits = boxes(2, mask=bitmaps(2))
    bare = boxes(1)
    merged = Detections.merge(rle, bits, bare)
    assert merged.mask is None and merged.mask_rle is not None and len(merged.mask_rle) == 6
    decoded = merged.bitmap_masks()
    assert decoded is not None
    assert (decoded[:3] == masks).all() and (decoded[3:5] == bitmaps(2)).all()
    assert not decoded[5].any()
    with pytest.raises(ValueError, match="different frame sizes"):
        Detections.merge(rle, boxes(1, mask=np.zeros((1, 7, 8), bool)))
    # Without RLE inputs, merge is what it was: bitmaps.
    assert Detections.merge(bits, bare).mask_rle is None


def test_the_journal_keeps_rle_masks(tmp_path: Path) -> None:
    masks = bitmaps(2)
    dets = boxes(2, mask_rle=[RleMask.encode(m) for m in masks])
    path = tmp_path / "journal.jsonl"
    writer = JournalWriter(path)
    writer.write(JournalEntry(0, 0.0, FrameOutput(dets)))
    writer.close()
    [entry] = read_journal(path)
    assert entry.output.detections.mask_rle == dets.mask_rle
