"""Tiny random-weight CLIP, OWLv2, Grounding DINO, SAM and BLIP folders, built once per session."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``save_pretrained`` folders of each architecture the annotation stages load."""
    if importlib.util.find_spec("transformers") is None:
        what = "the annotate extra (transformers) is not installed; make test installs it"
        if os.environ.get("CI"):
            pytest.fail(what)
        pytest.skip(what)
    import torch

    from framewise.testing.hf_models import (
        tiny_blip,
        tiny_clip,
        tiny_grounding_dino,
        tiny_owlv2,
        tiny_sam,
    )

    torch.manual_seed(0)  # the same random weights every run
    root = tmp_path_factory.mktemp("hf-models")
    return {
        "clip": tiny_clip(root / "clip"),
        "owlv2": tiny_owlv2(root / "owlv2"),
        "grounding-dino": tiny_grounding_dino(root / "grounding-dino"),
        "sam": tiny_sam(root / "sam"),
        "blip": tiny_blip(root / "blip"),
    }
