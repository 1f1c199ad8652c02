"""Models never download: a missing folder or an uncached repository id is one ModelError."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from framewise.config.base import BASE_DIR_KEY
from framewise.config.detectors import (
    DescriberConfig,
    DetectorConfig,
    RamCheckpoint,
    TaggerConfig,
)
from framewise.core.errors import ConfigError, ModelError
from framewise.detectors.open_vocab import caption
from framewise.detectors.tagger import ram_checkpoint
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


@needs_transformers
def test_a_ram_checkpoint_without_its_package_is_one_line_naming_folder_and_install(
    tmp_path: Path,
) -> None:
    if importlib.util.find_spec("ram") is not None:
        pytest.skip("recognize-anything is installed here; the refusal cannot be shown")
    folder = tmp_path / "models" / "ram"
    folder.mkdir(parents=True)
    (folder / "ram_plus_swin_large_14m.pth").write_bytes(b"not loaded")
    adapter: TypeAdapter[Any] = TypeAdapter(DetectorConfig)
    raw = {"kind": "tagger", "model": {"kind": "ram", "path": "models/ram"}}
    config = adapter.validate_python(raw, context={BASE_DIR_KEY: tmp_path})
    with pytest.raises(ConfigError) as caught:
        build_chain([config])
    line = caught.value.one_line()
    assert str(folder) in line and "recognize-anything" in line and "pip install" in line
    assert "\n" not in line


def test_a_ram_folder_must_hold_one_checkpoint(tmp_path: Path) -> None:
    checkpoint = RamCheckpoint(kind="ram", path=str(tmp_path / "absent"))
    with pytest.raises(ModelError, match="folder not found"):
        ram_checkpoint(checkpoint)
    (tmp_path / "absent").mkdir()
    with pytest.raises(ModelError, match=r"no \.pth checkpoint"):
        ram_checkpoint(checkpoint)
    for name in ("a.pth", "b.pth"):
        (tmp_path / "absent" / name).write_bytes(b"")
    with pytest.raises(ModelError, match=r"2 \.pth files"):
        ram_checkpoint(checkpoint)
    (tmp_path / "absent" / "b.pth").unlink()
    assert ram_checkpoint(checkpoint) == tmp_path / "absent" / "a.pth"


def test_a_clip_tagger_needs_its_tag_list() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(DetectorConfig)
    with pytest.raises(ValidationError, match="needs tags"):
        adapter.validate_python({"kind": "tagger", "model": "models/clip"})
    ram = adapter.validate_python({"kind": "tagger", "model": {"kind": "ram", "path": "/r"}})
    assert isinstance(ram.model, RamCheckpoint) and ram.tags == []


@needs_transformers
def test_a_missing_captioning_folder_names_the_folder(tmp_path: Path) -> None:
    config = DescriberConfig(kind="describer", model=str(tmp_path / "blip"))
    with pytest.raises(ModelError) as caught:
        build_chain([config])
    line = caught.value.one_line()
    assert str(tmp_path / "blip") in line and "hf download" in line
