"""The whole annotation chain gives the same results at batch size 1 and 8, on the right frames.

The seed's central risk is a batched result mapped back to the wrong frame or object, so the
chain (gate → tagger → open-vocabulary detector → segmenter → CLIP features → describer) runs
over the same frames at both sizes and every output is compared: the gate's decisions, tags,
boxes, masks, embeddings and captions. A second test checks the assignment itself: each frame's
scene embedding, each box's crop embedding, mask and caption equal what the model gives for that
frame or box alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter

from framewise.config.detectors import DescriberConfig, DetectorConfig
from framewise.core.frames import Frame, batched
from framewise.core.results import FrameOutput
from framewise.detectors.clip_features import ClipEncoder, crop
from framewise.detectors.describer import DescriberStage, build_describer
from framewise.detectors.hf import SKIPPED_FEATURE, rgb_pil
from framewise.pipeline.chain import DetectorChain, build_chain

START = datetime(2026, 1, 1, tzinfo=UTC)
TAGS = ["car", "dog", "person", "red car", "tree"]


def frames(count: int = 11) -> list[Frame]:
    """Distinct random pictures, except frame 4 repeats frame 3 (the gate skips it)."""
    rng = np.random.default_rng(7)
    images = [rng.integers(0, 256, (48, 64, 3), dtype=np.uint8) for _ in range(count)]
    images[4] = images[3].copy()
    return [Frame(img, i, i / 10, START, "clip.mp4") for i, img in enumerate(images)]


def chain(models: dict[str, Path], detector: str, **describer: Any) -> DetectorChain:
    stages: list[dict[str, Any]] = [
        {"kind": "gate", "threshold": 1.0},
        {"kind": "tagger", "model": str(models["clip"]), "tags": TAGS, "top_k": 2, "threshold": 0},
        {
            "kind": "open_vocab_detector",
            "model": str(models[detector]),
            "prompts": ["ball"],
            "threshold": 0.0,
            "max_detections": 4,
        },
        {"kind": "segmenter", "model": str(models["sam"])},
        {"kind": "clip_features", "model": str(models["clip"]), "crop_padding": 2},
        {"kind": "describer", "model": str(models["blip"]), "max_new_tokens": 6, **describer},
    ]
    adapter: TypeAdapter[Any] = TypeAdapter(DetectorConfig)
    return build_chain([adapter.validate_python(s) for s in stages])


def run(models: dict[str, Path], detector: str, size: int, **describer: Any) -> list[FrameOutput]:
    built = chain(models, detector, **describer)
    try:
        return [out for batch in batched(frames(), size) for out in built.run(batch)]
    finally:
        for stage in built.stages:
            stage.close()


def same(a: FrameOutput, b: FrameOutput) -> None:
    assert a.feature(SKIPPED_FEATURE) == b.feature(SKIPPED_FEATURE)
    assert [t for t, _ in a.tags] == [t for t, _ in b.tags]
    np.testing.assert_allclose([s for _, s in a.tags], [s for _, s in b.tags], atol=1e-5)
    da, db = a.detections, b.detections
    assert da.class_name == db.class_name
    assert da.text == db.text  # the describer's captions, box by box
    np.testing.assert_allclose(da.xyxy, db.xyxy, atol=1e-3)
    np.testing.assert_allclose(da.confidence, db.confidence, atol=1e-5)
    if len(da):
        assert da.mask is not None and db.mask is not None
        assert (da.mask != db.mask).mean() < 1e-3  # a pixel on a mask's edge may flip
        assert da.embedding is not None and db.embedding is not None
        np.testing.assert_allclose(da.embedding, db.embedding, atol=1e-4)
        np.testing.assert_allclose(da.data["mask_score"], db.data["mask_score"], atol=1e-4)
    if a.embedding is None:
        assert b.embedding is None
    else:
        assert b.embedding is not None
        np.testing.assert_allclose(a.embedding, b.embedding, atol=1e-4)


@pytest.mark.parametrize("detector", ["grounding-dino", "owlv2"])
def test_batch_8_equals_batch_1_for_every_stage(
    tiny_models: dict[str, Path], detector: str
) -> None:
    one = run(tiny_models, detector, 1)
    eight = run(tiny_models, detector, 8)
    assert len(one) == len(eight) == 11
    skipped = [i for i, out in enumerate(one) if out.feature(SKIPPED_FEATURE)]
    assert skipped == [4]  # the repeated frame, and only it
    skipped_out = one[4]
    assert not skipped_out.tags and not len(skipped_out.detections)
    assert skipped_out.embedding is None
    boxes = 0
    for a, b in zip(one, eight, strict=True):
        same(a, b)
        boxes += len(a.detections)
    assert boxes >= 10  # the comparison covered real boxes, masks and crops
    captions = [t for out in one for t in out.detections.text]
    # Every box described (random weights may end a caption at once), not all alike.
    assert None not in captions and len(set(captions)) > 2
    # The detector looked for the frame's own tags, not another frame's.
    for out in one:
        assert set(out.detections.class_name) <= {"ball", *(t for t, _ in out.tags)}


def alone(stage_output: FrameOutput, frame: Frame, encoder: ClipEncoder) -> None:
    """The frame's embeddings equal the encoder's on that frame and its crops alone."""
    assert stage_output.embedding is not None
    [scene] = encoder.image_embeddings([rgb_pil(frame.image)])
    np.testing.assert_allclose(stage_output.embedding, scene, atol=1e-4)
    dets = stage_output.detections
    assert dets.embedding is not None
    for box, vector in zip(dets.xyxy.tolist(), dets.embedding, strict=True):
        [own] = encoder.image_embeddings([rgb_pil(crop(frame.image, box, 2))])
        np.testing.assert_allclose(vector, own, atol=1e-4)


def masks_alone(models: dict[str, Path], frame: Frame, out: FrameOutput) -> None:
    """Each box's mask equals SAM's for that box on that frame alone."""
    segmenter = build_chain(
        [
            TypeAdapter(DetectorConfig).validate_python(
                {"kind": "segmenter", "model": str(models["sam"])}
            )
        ]
    )
    dets = out.detections
    assert dets.mask is not None
    for row in range(len(dets)):
        single = FrameOutput(dets.select([row]).replace(mask=None, data={}))
        [own] = segmenter.run([frame], [single])
        assert own.detections.mask is not None
        assert (own.detections.mask[0] != dets.mask[row]).mean() < 1e-3


def captions_alone(describer: DescriberStage, frame: Frame, out: FrameOutput) -> None:
    """Each box's description is the caption of that box's crop, captioned alone."""
    for box, text in zip(out.detections.xyxy.tolist(), out.detections.text, strict=True):
        assert describer.captions([rgb_pil(crop(frame.image, box, 0))]) == [text]


def test_each_result_belongs_to_its_own_frame_and_box(tiny_models: dict[str, Path]) -> None:
    batch = frames()
    # The describer's own batching (8 crops per generate call) maps captions back too.
    outputs = run(tiny_models, "owlv2", 8, batch_size=8)
    encoder = ClipEncoder(str(tiny_models["clip"]), "cpu")
    config = DescriberConfig(kind="describer", model=str(tiny_models["blip"]), max_new_tokens=6)
    describer = build_describer(config)
    kept = [i for i, out in enumerate(outputs) if not out.feature(SKIPPED_FEATURE)]
    checked: Sequence[int] = [i for i in kept if len(outputs[i].detections)][:4]
    assert len(checked) == 4
    for i in checked:
        alone(outputs[i], batch[i], encoder)
        masks_alone(tiny_models, batch[i], outputs[i])
        captions_alone(describer, batch[i], outputs[i])
