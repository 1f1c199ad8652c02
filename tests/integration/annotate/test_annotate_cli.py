"""``framewise annotate`` end to end: files other tools read, resume without duplicates, search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from pycocotools import mask as coco_mask  # type: ignore[import-untyped]

from framewise.cli.annotate_commands import annotation_config
from framewise.cli.main import main
from framewise.config.pipeline import load_pipeline
from framewise.core.masks import decode_rle
from framewise.events.annotation_search import search_annotations
from framewise.events.annotations import read_annotations
from framewise.pipeline.runner import Pipeline
from framewise.testing.clips import make_clip


class StopRunError(Exception):
    """Raised from the progress callback to interrupt a run mid-way."""


def pipeline_yaml(folder: Path, models: dict[str, Path]) -> Path:
    text = f"""\
name: annotate-test
source:
  detection_fps: 5
  batch_size: 4
detectors:
  - kind: gate
    threshold: 0.01
  - kind: tagger
    model: {models["clip"]}
    tags: [car, dog, person, tree]
    top_k: 2
    threshold: 0
  - kind: open_vocab_detector
    model: {models["owlv2"]}
    prompts: [ball]
    threshold: 0
    max_detections: 3
  - kind: segmenter
    model: {models["sam"]}
  - kind: clip_features
    model: {models["clip"]}
sinks:
  - kind: annotations
"""
    path = folder / "annotate.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def clip_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clip") / "street.mp4"
    make_clip(path, seconds=2.0, width=128, height=72, fps=10, noise=0.8)
    return path


def frames_of(folder: Path) -> list[dict[str, Any]]:
    document = json.loads((folder / "annotations.json").read_text())
    assert document["schema_version"] == 1
    frames: list[dict[str, Any]] = document["frames"]
    return frames


def test_annotate_writes_json_parquet_and_rle_masks(
    tmp_path: Path, tiny_models: dict[str, Path], clip_path: Path
) -> None:
    config = pipeline_yaml(tmp_path, tiny_models)
    out = tmp_path / "out"
    args = ["annotate", "--video", str(clip_path), "--config", str(config), "--output", str(out)]
    assert main([*args, "--device", "cpu", "--batch-size", "3"]) == 0
    folder = out / "street"
    document = json.loads((folder / "annotations.json").read_text())
    assert document["complete"] is True
    assert document["summary"]["frames_sampled"] == 10
    frames = document["frames"]
    assert len(frames) == document["summary"]["frames_annotated"] > 0
    numbers = [f["frame_number"] for f in frames]
    assert numbers == sorted(set(numbers))
    scene = pq.read_table(folder / "frame_embeddings.parquet")
    objects = pq.read_table(folder / "object_embeddings.parquet")
    kind = scene.schema.field("embedding").type
    assert kind.list_size == 16 and str(kind.value_type) == "float"
    assert scene.num_rows == len(frames)
    assert scene.column("frame_number").to_pylist() == numbers
    ids = [d["id"] for f in frames for d in f["detections"]]
    assert objects.column("object_id").to_pylist() == ids and len(ids) > 0
    for frame in frames:
        assert frame["tags"] and frame["embedding_row"] is not None
        for det in frame["detections"]:
            rle = det["mask"]
            assert rle is not None and rle["size"] == [72, 128]
            decoded = coco_mask.decode({"size": rle["size"], "counts": rle["counts"].encode()})
            assert decoded.shape == (72, 128) and decoded.sum() == coco_mask.area(
                {"size": rle["size"], "counts": rle["counts"].encode()}
            )
    # Again with the same command: the run is complete, nothing changes.
    before = (folder / "annotations.json").read_bytes()
    assert main([*args, "--device", "cpu", "--batch-size", "3"]) == 0
    assert (folder / "annotations.json").read_bytes() == before


def test_an_interrupted_run_resumes_without_duplicates(
    tmp_path: Path, tiny_models: dict[str, Path], clip_path: Path
) -> None:
    config = annotation_config(
        load_pipeline(pipeline_yaml(tmp_path, tiny_models)), batch_size=None, device="cpu"
    )
    whole = Pipeline(config)
    whole.process_video(clip_path, tmp_path / "whole")
    whole.close()
    broken = Pipeline(config)

    def stop(seconds: float) -> None:
        if seconds > 0.5:
            raise StopRunError

    with pytest.raises(StopRunError):
        broken.process_video(clip_path, tmp_path / "resumed", on_progress=stop)
    partial = json.loads((tmp_path / "resumed" / "annotations.json").read_text())
    assert partial["complete"] is False
    run = broken.process_video(clip_path, tmp_path / "resumed")
    broken.close()
    assert run.resumed_at is not None
    a, b = frames_of(tmp_path / "whole"), frames_of(tmp_path / "resumed")
    assert [f["frame_number"] for f in a] == [f["frame_number"] for f in b]
    for fa, fb in zip(a, b, strict=True):
        assert [d["label"] for d in fa["detections"]] == [d["label"] for d in fb["detections"]]
        assert [d["mask"] for d in fa["detections"]] == [d["mask"] for d in fb["detections"]]
    ia, ib = read_annotations(tmp_path / "whole"), read_annotations(tmp_path / "resumed")
    np.testing.assert_allclose(ia.object_vectors, ib.object_vectors, atol=1e-5)
    np.testing.assert_allclose(ia.frame_vectors, ib.frame_vectors, atol=1e-5)


def test_a_run_interrupted_at_batch_4_resumes_at_batch_8_without_duplicates(
    tmp_path: Path, tiny_models: dict[str, Path], clip_path: Path
) -> None:
    loaded = load_pipeline(pipeline_yaml(tmp_path, tiny_models))
    whole = Pipeline(annotation_config(loaded, batch_size=4, device="cpu"))
    whole.process_video(clip_path, tmp_path / "whole")
    whole.close()
    broken = Pipeline(annotation_config(loaded, batch_size=4, device="cpu"))

    def stop(seconds: float) -> None:
        if seconds > 0.9:
            raise StopRunError

    with pytest.raises(StopRunError):
        broken.process_video(clip_path, tmp_path / "resumed", on_progress=stop)
    broken.close()
    partial = frames_of(tmp_path / "resumed")
    assert 0 < len(partial) < len(frames_of(tmp_path / "whole"))
    # Batch size and device change speed, not results: the same run, resumed, not refused.
    faster = Pipeline(annotation_config(loaded, batch_size=8, device="auto"))
    run = faster.process_video(clip_path, tmp_path / "resumed")
    faster.close()
    assert run.resumed_at is not None and not run.skipped
    a, b = frames_of(tmp_path / "whole"), frames_of(tmp_path / "resumed")
    assert [f["frame_number"] for f in b] == [f["frame_number"] for f in a]
    ids = [d["id"] for f in b for d in f["detections"]]
    assert len(ids) == len(set(ids)) == sum(len(f["detections"]) for f in a)
    for fa, fb in zip(a, b, strict=True):
        assert [d["label"] for d in fb["detections"]] == [d["label"] for d in fa["detections"]]
        np.testing.assert_allclose(
            np.array([d["box"] for d in fb["detections"]]).reshape(-1, 4),
            np.array([d["box"] for d in fa["detections"]]).reshape(-1, 4),
            atol=1e-3,
        )
    ia, ib = read_annotations(tmp_path / "whole"), read_annotations(tmp_path / "resumed")
    np.testing.assert_allclose(ib.frame_vectors, ia.frame_vectors, atol=1e-5)
    np.testing.assert_allclose(ib.object_vectors, ia.object_vectors, atol=1e-5)
    document = json.loads((tmp_path / "resumed" / "annotations.json").read_text())
    assert document["complete"] is True
    assert "batch_size: 8" in (tmp_path / "resumed" / "config.yaml").read_text()


def test_search_ranks_frames_and_objects_by_clip_similarity(
    tmp_path: Path,
    tiny_models: dict[str, Path],
    clip_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = pipeline_yaml(tmp_path, tiny_models)
    out = tmp_path / "out"
    assert (
        main(["annotate", "--video", str(clip_path), "--config", str(config), "-o", str(out)]) == 0
    )
    hits = search_annotations("a red car", out, top=1000, device="cpu")
    index = read_annotations(out / "street")
    assert len(hits) == len(index.frame_vectors) + len(index.object_vectors)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    # The best hit's score is its own embedding against the text, from the run's model.
    from framewise.detectors.clip_features import ClipEncoder

    [query] = ClipEncoder(str(tiny_models["clip"]), "cpu").text_embeddings(["a red car"])
    best = hits[0]
    frame = next(f for f in index.frames if f["frame_number"] == best.frame_number)
    if best.object_id is None:
        vector = index.frame_vectors[frame["embedding_row"]]
    else:
        det = next(d for d in frame["detections"] if d["id"] == best.object_id)
        vector = index.object_vectors[det["embedding_row"]]
    assert best.score == pytest.approx(float(vector @ query), abs=1e-5)
    capsys.readouterr()
    crops = tmp_path / "crops"
    args = ["search", "a red car", "--index", str(out), "--top", "3", "--only", "objects"]
    assert main([*args, "--crops", str(crops)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 3 and all("street.mp4 @" in line for line in printed)
    assert sorted(p.name for p in crops.iterdir()) == ["001.jpg", "002.jpg", "003.jpg"]


def test_export_coco_writes_the_masks_pycocotools_reads(
    tmp_path: Path, tiny_models: dict[str, Path], clip_path: Path
) -> None:
    from pycocotools.coco import COCO  # type: ignore[import-untyped]

    config = pipeline_yaml(tmp_path, tiny_models)
    out = tmp_path / "out"
    assert (
        main(["annotate", "--video", str(clip_path), "--config", str(config), "-o", str(out)]) == 0
    )
    ours = json.loads((out / "street" / "annotations.json").read_text())
    dataset = tmp_path / "coco"
    assert main(["export", str(out), "--format", "coco", "--out", str(dataset)]) == 0
    coco = COCO(str(dataset / "annotations" / "instances_train.json"))
    with_boxes = [f for f in ours["frames"] if f["detections"]]

    def drawable(det: dict[str, Any]) -> bool:  # what every export keeps (random boxes are thin)
        x1, y1, x2, y2 = det["box"]
        return bool(x2 - x1 >= 1 and y2 - y1 >= 1)

    assert len(coco.getImgIds()) == len(with_boxes)
    assert len(coco.getAnnIds()) == sum(drawable(d) for f in with_boxes for d in f["detections"])
    assert coco.getAnnIds()
    for image_id, frame in zip(sorted(coco.getImgIds()), with_boxes, strict=True):
        (info,) = coco.loadImgs(image_id)
        assert (info["height"], info["width"]) == (72, 128)
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[image_id]))
        kept = [d for d in frame["detections"] if drawable(d)]
        for ann, det in zip(anns, kept, strict=True):
            mask = coco.annToMask(ann)
            expected = decode_rle(det["mask"])
            assert (mask.astype(bool) == expected).all()
            assert ann["area"] == int(expected.sum())
