"""The describer: a caption per chosen box, the same whatever the batching, prompts continued."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from framewise.config.detectors import DescriberConfig
from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("transformers") is None, reason="the annotate extra is not installed"
)


@pytest.fixture(scope="module")
def blip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    from framewise.testing.hf_models import tiny_blip

    torch.manual_seed(0)
    return tiny_blip(tmp_path_factory.mktemp("blip") / "blip")


def frame() -> Frame:
    image = np.random.default_rng(3).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    return Frame(image, 0, 0.0, datetime(2026, 1, 1, tzinfo=UTC), "clip.mp4")


def boxes() -> FrameOutput:
    xyxy = np.array([[0, 0, 20, 20], [10, 5, 60, 40], [30, 20, 64, 48]], np.float32)
    names = ("car", "dog", "car")
    return FrameOutput(Detections(xyxy, np.ones(3, np.float32), names, ("kept", None, None)))


def describe(blip: Path, **options: object) -> FrameOutput:
    from framewise.detectors.describer import build_describer

    config = DescriberConfig.model_validate(
        {"kind": "describer", "model": str(blip), "device": "cpu", "max_new_tokens": 5, **options}
    )
    [out] = build_describer(config).detect([frame()], [boxes()])
    return out


def test_only_the_chosen_classes_are_described_and_batching_changes_nothing(blip: Path) -> None:
    one = describe(blip, classes=["car"])
    texts = one.detections.text
    assert texts[1] is None  # a dog: not asked for, left alone
    assert isinstance(texts[0], str) and isinstance(texts[2], str) and texts[0] != "kept"
    assert describe(blip, classes=["car"], batch_size=8).detections.text == texts
    every = describe(blip).detections.text
    assert every[0] == texts[0] and every[2] == texts[2] and every[1] is not None


def test_a_prompt_is_continued(blip: Path) -> None:
    texts = describe(blip, prompt="a photo of").detections.text
    assert all(t is not None and t.startswith("a photo of") for t in texts)
