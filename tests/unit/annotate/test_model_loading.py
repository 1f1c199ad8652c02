"""Models never download: a missing folder or an uncached repository id is one ModelError."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from framewise.config.base import BASE_DIR_KEY
from framewise.config.detectors import DetectorConfig, TaggerConfig
from framewise.core.errors import ModelError
from framewise.detectors.open_vocab import caption
from framewise.pipeline.chain import build_chain

needs_transformers = pytest.mark.skipif(
    importlib.util.find_spec("transformers") is None, reason="the annotate extra is not installed"
)


@needs_transformers
def test_a_missing_folder_names_the_folder_and_how_to_fetch(tmp_path: Path) -> None:
    config = TaggerConfig(kind="tagger", model=str(tmp_path / "nowhere"), tags=["car"])
    with pytest.raises(ModelError) as caught:
        build_chain([config])
    line = caught.value.one_line()
    assert str(tmp_path / "nowhere") in line and "hf download" in line
    assert "\n" not in line


@needs_transformers
def test_an_uncached_repository_id_is_not_downloaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty cache
    config = TaggerConfig(kind="tagger", model="someone/clip-that-is-not-here", tags=["car"])
    with pytest.raises(ModelError) as caught:
        build_chain([config])
    line = caught.value.one_line()
    assert "someone/clip-that-is-not-here" in line and "not in the Hugging Face cache" in line
    assert not (tmp_path / "hf" / "hub" / "models--someone--clip-that-is-not-here").exists()


@needs_transformers
def test_a_folder_without_a_model_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    config = TaggerConfig(kind="tagger", model=str(tmp_path / "empty"), tags=["car"])
    with pytest.raises(ModelError, match="cannot load a model from this folder"):
        build_chain([config])


def test_a_relative_folder_is_resolved_against_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "models" / "clip").mkdir(parents=True)
    adapter: TypeAdapter[Any] = TypeAdapter(DetectorConfig)
    raw = {"kind": "tagger", "model": "models/clip", "tags": ["car"]}
    found = adapter.validate_python(raw, context={BASE_DIR_KEY: tmp_path})
    assert isinstance(found, TaggerConfig)
    assert found.model == str(tmp_path / "models" / "clip")
    # Not a folder there: kept as written, a repository id for the cache.
    raw["model"] = "openai/clip-vit-base-patch32"
    assert adapter.validate_python(raw, context={BASE_DIR_KEY: tmp_path}).model == raw["model"]


def test_grounding_dino_captions_know_each_phrase_span() -> None:
    text, spans = caption(["Red car", "dog"])
    assert text == "red car. dog."
    assert [text[a:b] for a, b in spans] == ["red car", "dog"]
