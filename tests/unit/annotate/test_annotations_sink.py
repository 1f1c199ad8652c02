"""The annotations sink: one record per frame (a replay is kept once), RLE masks, no pickle."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from framewise.core.detections import Detections
from framewise.core.events import LogMetadata
from framewise.core.masks import RleMask, decode_rle
from framewise.core.results import FrameOutput
from framewise.events.annotations import AnnotationsSink, read_annotations
from framewise.events.sinks import RunResult, RunTotals

START = datetime(2026, 1, 1, tzinfo=UTC)


def metadata() -> LogMetadata:
    return LogMetadata(
        video_path="/videos/street.mp4",
        session_start_time=START,
        video_duration_seconds=2.0,
        total_frames=20,
        detection_fps=5.0,
        processed_at=START,
    )


def output(k: int, *, embeddings: bool) -> FrameOutput:
    mask = np.zeros((1, 6, 8), bool)
    mask[0, 1:4, 2 : 3 + k] = True
    dets = Detections(
        np.array([[2, 1, 3 + k, 4]], np.float32),
        np.array([0.9], np.float32),
        ("car",),
        mask=mask,
        embedding=np.full((1, 3), k, np.float32) if embeddings else None,
        data={"mask_score": np.array([np.nan], np.float32)},
    )
    vector = np.array([1, 0, k], np.float32) if embeddings else None
    return FrameOutput(dets, tags=(("street", 0.7),), embedding=vector)


def test_frames_are_written_once_with_rle_masks_and_parquet_vectors(tmp_path: Path) -> None:
    sink = AnnotationsSink(tmp_path, metadata())
    skipped = FrameOutput.empty().with_features({"gate_skipped": 1.0})
    for index, out in [
        (0, output(0, embeddings=True)),
        (2, skipped),
        (4, output(1, embeddings=True)),
    ]:
        sink.write(RunResult(index / 10, index, None, out))
    sink.write(RunResult(0.0, 0, None, output(0, embeddings=True)))  # a replayed frame again
    sink.write(RunResult(0.4, 4, totals=RunTotals(3, 0.4, {}, {})))
    sink.close()
    document = json.loads((tmp_path / "annotations.json").read_text())
    assert document["complete"] is True
    assert document["summary"] == {
        "frames_sampled": 3, "frames_annotated": 2, "frames_skipped": 1, "objects": 2,
    }  # fmt: skip
    second = document["frames"][1]
    assert second["frame_number"] == 4 and second["tags"] == [{"name": "street", "score": 0.7}]
    det = second["detections"][0]
    assert det["id"] == "4:0" and det["mask_score"] is None  # NaN is not JSON: null
    assert decode_rle(det["mask"]).sum() == 3 * 2
    table = pq.read_table(tmp_path / "object_embeddings.parquet")
    assert table.column("object_id").to_pylist() == ["0:0", "4:0"]
    found = read_annotations(tmp_path)
    np.testing.assert_array_equal(found.object_vectors[det["embedding_row"]], [1, 1, 1])
    np.testing.assert_array_equal(found.frame_vectors[second["embedding_row"]], [1, 0, 1])


def test_a_run_without_embeddings_writes_no_tables(tmp_path: Path) -> None:
    sink = AnnotationsSink(tmp_path, metadata())
    sink.write(RunResult(0.0, 0, None, output(0, embeddings=False)))
    sink.close()  # interrupted: no totals came
    document = json.loads((tmp_path / "annotations.json").read_text())
    assert document["complete"] is False
    assert document["embeddings"] == {"frames": None, "objects": None}
    assert not list(tmp_path.glob("*.parquet"))
    index = read_annotations(tmp_path)
    assert index.frame_vectors.size == 0 and index.frames[0]["embedding_row"] is None


def test_rle_masks_are_written_as_they_came_and_empty_ones_as_null(tmp_path: Path) -> None:
    bits = output(1, embeddings=False).detections
    masks = bits.rle_masks()
    assert masks is not None
    empty = RleMask.empty(6, 8)
    rle = Detections(
        np.array([[2, 1, 4, 4], [0, 0, 1, 1]], np.float32),
        np.array([0.9, 0.8], np.float32),
        ("car", "dog"),
        ("a red car", None),
        mask_rle=[masks[0], empty],
    )
    sink = AnnotationsSink(tmp_path, metadata())
    sink.write(RunResult(0.0, 0, None, FrameOutput(rle)))
    sink.close()
    [car, dog] = json.loads((tmp_path / "annotations.json").read_text())["frames"][0]["detections"]
    assert car["mask"] == masks[0].as_coco() and dog["mask"] is None
    assert car["description"] == "a red car" and dog["description"] is None
