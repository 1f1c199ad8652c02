"""Columnar Detections: optional columns, select/merge across them, converters, FrameOutput."""

from __future__ import annotations

import numpy as np
import pytest

from framewise.core.detections import Detections
from framewise.core.fields import FieldReading
from framewise.core.masks import decode_rle, encode_rle, rle_counts, string_to_counts
from framewise.core.results import FrameOutput


def boxes(n: int) -> np.ndarray:
    return np.array([[i, i, i + 10, i + 5] for i in range(n)], np.float32)


def rich(n: int = 3) -> Detections:
    """Every column filled, row i recognisable by i."""
    masks = np.zeros((n, 6, 8), bool)
    for i in range(n):
        masks[i, i, i] = True
    return Detections(
        boxes(n),
        np.linspace(0.9, 0.5, n, dtype=np.float32),
        tuple(f"c{i}" for i in range(n)),
        tuple(f"t{i}" for i in range(n)),
        fields=[{"f": FieldReading(i, 0.5)} for i in range(n)],
        class_id=np.arange(n),
        track_id=np.arange(n) + 100,
        mask=masks,
        keypoints=np.arange(n * 2 * 3, dtype=np.float32).reshape(n, 2, 3),
        embedding=np.eye(n, 4, dtype=np.float32),
        data={"depth": np.arange(n, dtype=np.float64) / 2},
    )


def test_select_slices_every_column_by_mask_or_indices() -> None:
    dets = rich()
    for picked in (dets.select(np.array([False, True, True])), dets.select([2, 1])):
        rows = sorted(picked.track_id.tolist())  # type: ignore[union-attr]
        assert rows == [101, 102]
    back = dets.select([2, 0])
    assert back.class_name == ("c2", "c0") and back.text == ("t2", "t0")
    assert back.fields[0]["f"] == FieldReading(2, 0.5)
    assert back.class_id.tolist() == [2, 0]  # type: ignore[union-attr]
    assert back.mask is not None and back.mask[0, 2, 2] and not back.mask[0, 0, 0]
    assert back.keypoints is not None and back.keypoints.shape == (2, 2, 3)
    assert back.embedding is not None and back.embedding[1].tolist() == [1, 0, 0, 0]
    assert back.data["depth"].tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="integer indices"):
        dets.select(np.array([0.5]))


def test_columns_are_validated_with_clear_messages() -> None:
    one = (boxes(1), np.array([0.5], np.float32), ("a",))
    with pytest.raises(ValueError, match=r"keypoints must be N×\?×3 with N = 1"):
        Detections(*one, keypoints=np.zeros((1, 4, 2)))
    with pytest.raises(ValueError, match="mask must be"):
        Detections(*one, mask=np.zeros((2, 4, 4), bool))
    with pytest.raises(ValueError, match="whole numbers"):
        Detections(*one, track_id=np.array([1.5]))
    with pytest.raises(ValueError, match="one row per box"):
        Detections(*one, data={"x": np.zeros(3)})
    with pytest.raises(ValueError, match="numeric or string"):
        Detections(*one, data={"x": np.array([object()])})
    with pytest.raises(ValueError, match="not both"):
        Detections(*one, attributes=[{"a": 1}], fields=[{"a": FieldReading(1, 1.0)}])
    with pytest.raises(ValueError, match="FieldReading"):
        Detections(*one, fields=[{"a": 1}])  # type: ignore[dict-item]


def test_legacy_attributes_become_typed_fields_and_read_back() -> None:
    dets = Detections(
        boxes(1), np.array([0.75], np.float32), ("k",), attributes=[{"w": "AK", "hs": True}]
    )
    assert dets.fields[0]["w"] == FieldReading("AK", 0.75)
    assert dets.attributes[0]["hs"] == {"value": True, "confidence": 0.75}


def test_merge_fills_columns_some_inputs_lack() -> None:
    plain = Detections(boxes(2), np.array([0.3, 0.2], np.float32), ("p", "q"))
    merged = Detections.merge(rich(2), Detections.empty(), plain)
    assert merged.class_name == ("c0", "c1", "p", "q")
    assert merged.track_id.tolist() == [100, 101, -1, -1]  # type: ignore[union-attr]
    assert merged.text == ("t0", "t1", None, None)
    assert dict(merged.fields[3]) == {}
    assert merged.mask is not None and merged.mask.shape == (4, 6, 8)
    assert not merged.mask[2:].any()
    assert merged.keypoints is not None and not merged.keypoints[2:].any()
    assert merged.embedding is not None and np.isnan(merged.embedding[3]).all()
    assert np.isnan(merged.data["depth"][2:]).all() and merged.data["depth"][1] == 0.5
    assert len(Detections.merge()) == 0
    assert Detections.merge(plain) is plain


def test_merge_refuses_what_cannot_be_filled() -> None:
    small = rich(1)
    other = Detections(
        boxes(1), np.array([0.5], np.float32), ("x",), mask=np.zeros((1, 3, 3), bool)
    )
    with pytest.raises(ValueError, match=r"cannot merge mask: .*6×8"):
        Detections.merge(small, other)
    labelled = Detections(
        boxes(1), np.array([0.5], np.float32), ("x",), data={"label": np.array(["a"])}
    )
    plain = Detections(boxes(1), np.array([0.5], np.float32), ("y",))
    with pytest.raises(ValueError, match="no missing value"):
        Detections.merge(labelled, plain)


def test_from_yolo_and_as_coco() -> None:
    dets = Detections.from_yolo(
        np.array([[10, 20, 30, 60]], np.float32),
        np.array([0.8], np.float32),
        np.array([1]),
        ("cat", "dog"),
    )
    assert dets.class_name == ("dog",) and dets.class_id.tolist() == [1]  # type: ignore[union-attr]
    [ann] = dets.as_coco(image_id=7, category_ids={"dog": 18}, first_id=5)
    assert ann["bbox"] == [10.0, 20.0, 20.0, 40.0] and ann["area"] == 800.0
    assert (ann["id"], ann["image_id"], ann["category_id"]) == (5, 7, 18)
    assert "segmentation" not in ann
    with pytest.raises(ValueError, match="class indices"):
        Detections.from_yolo(boxes(1), np.array([0.5], np.float32), np.array([2]), ("a",))
    masked = rich(2).as_coco(1, {"c0": 1, "c1": 2})
    assert masked[1]["area"] == 1 and masked[1]["track_id"] == 101
    assert decode_rle(masked[1]["segmentation"])[1, 1]
    assert masked[0]["num_keypoints"] == 2  # visibilities 2 and 5


def test_rle_matches_pycocotools_byte_for_byte() -> None:
    mask_api = pytest.importorskip("pycocotools.mask")
    rng = np.random.default_rng(3)
    cases = [
        rng.random((37, 53)) > 0.5,  # many short runs: large deltas both ways
        np.zeros((9, 4), bool),
        np.ones((5, 7), bool),
        np.pad(np.ones((40, 30), bool), 10),  # long runs: multi-character counts
    ]
    for mask in cases:
        theirs = mask_api.encode(np.asfortranarray(mask.astype(np.uint8)))
        ours = encode_rle(mask)
        assert ours["counts"].encode("ascii") == theirs["counts"]
        assert ours["size"] == list(theirs["size"])
        assert string_to_counts(ours["counts"]) == rle_counts(mask)
        assert (decode_rle(ours) == mask).all()
        assert (decode_rle({"size": ours["size"], "counts": rle_counts(mask)}) == mask).all()
        assert (decode_rle(theirs) == mask_api.decode(theirs).astype(bool)).all()


def test_frame_output_validates_and_adds() -> None:
    out = FrameOutput.empty("cam1").with_tags(("night", 0.7), ("night", 0.9))
    out = out.with_features({"speed": 2.0}).with_features({"speed": 3.0, "lux": 1.0})
    assert out.source_id == "cam1" and out.tag_scores() == {"night": pytest.approx(0.9)}
    assert out.feature_names == ("speed", "lux") and out.feature("speed") == 3.0
    with pytest.raises(KeyError, match="no feature 'x'"):
        out.feature("x")
    with pytest.raises(ValueError, match="2 features but 1"):
        FrameOutput(features=np.zeros(2, np.float32), feature_names=("a",))
    with pytest.raises(ValueError, match="1-D"):
        FrameOutput(embedding=np.zeros((2, 2), np.float32))
    with pytest.raises(TypeError, match="must be Detections"):
        FrameOutput("boxes")  # type: ignore[arg-type]
