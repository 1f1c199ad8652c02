"""``source:`` as a kind-tagged union: old kind-less YAML keeps loading, new kinds load too."""

from __future__ import annotations

from pathlib import Path

import pytest

import framewise
from framewise.config import (
    SOURCE_CONFIGS,
    FileSourceConfig,
    ImageFolderSourceConfig,
    PipelineConfig,
    ReplaySourceConfig,
    SourceConfig,
    StreamSourceConfig,
    load_pipeline,
    parse_config,
)
from framewise.core.errors import ConfigError

DETECTORS = "detectors: [{kind: yolo_onnx, model: m.onnx}]\n"
TARKOV = Path(framewise.__file__).parent / "profiles" / "tarkov" / "pipeline.yaml"


def test_a_source_without_kind_is_the_file_on_the_command_line() -> None:
    text = (
        "source:\n  detection_fps: 4\n  batch_size: 2\n  read: keyframes\n  queue_size: 3\n"
        "  decode: {skip_frame: NONREF, threads: 1}\n" + DETECTORS
    )
    source = parse_config(text, PipelineConfig).source
    assert isinstance(source, FileSourceConfig)
    assert (source.kind, source.path) == ("file", None)
    assert (source.detection_fps, source.batch_size, source.read, source.queue_size) == (
        4.0,
        2,
        "keyframes",
        3,
    )
    assert source.decode.skip_frame == "NONREF" and source.decode.threads == 1
    assert isinstance(parse_config(DETECTORS, PipelineConfig).source, FileSourceConfig)


def test_the_shipped_profile_loads_unchanged() -> None:
    source = load_pipeline(TARKOV).source
    assert isinstance(source, FileSourceConfig)
    assert source.detection_fps == 10.0 and source.decode.skip_loop_filter == "ALL"


def test_an_image_folder_source_with_shared_settings(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text(
        "source: {kind: images, path: frames/, fps: 30, detection_fps: 5, batch_size: 4}\n"
        + DETECTORS
    )
    source = load_pipeline(path).source
    assert isinstance(source, ImageFolderSourceConfig)
    assert source.path == tmp_path / "frames"  # relative to the YAML's folder
    assert (source.fps, source.detection_fps, source.batch_size) == (30.0, 5.0, 4)
    assert source.sample_fps == 5.0 and source.sample_period_seconds == pytest.approx(0.2)


@pytest.mark.parametrize("kind", sorted(SOURCE_CONFIGS))
def test_every_registered_kind_loads_with_its_defaults(kind: str) -> None:
    source = parse_config(f"source: {{kind: {kind}}}\n" + DETECTORS, PipelineConfig).source
    assert type(source) is SOURCE_CONFIGS[kind] and source.kind == kind
    assert source.detection_fps == 10.0  # the shared settings are on every kind


@pytest.mark.parametrize(
    ("source", "line", "expected"),
    [
        ("{kind: imagez}", 1, ["set kind to one of", "images"]),
        ("{kind: file, fps: 30}", 1, ["source.fps", "unknown key"]),
        ("{kind: images, fsp: 3}", 1, ["did you mean 'fps'"]),
        ("\n  kind: stream\n  max_backoff_s: 0", 3, ["source.max_backoff_s", "greater than 0"]),
        ("{kind: replay, detection_fps: -1}", 1, ["source.detection_fps"]),
    ],
)
def test_errors_name_the_line_and_key(source: str, line: int, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(f"source: {source}\n" + DETECTORS, PipelineConfig, source="p.yaml")
    message = str(info.value)
    assert message.startswith(f"p.yaml:{line}:")
    for part in expected:
        assert part in message


def test_bare_shared_settings_become_a_kind() -> None:
    shared = SourceConfig(detection_fps=5, read="all")
    assert shared.sample_fps is None  # read: all keeps every frame
    config = PipelineConfig.model_validate(
        {"source": shared, "detectors": [{"kind": "yolo_onnx", "model": "m.onnx"}]}
    )
    assert isinstance(config.source, FileSourceConfig) and config.source.detection_fps == 5.0
    stream = shared.with_kind("stream", url="rtsp://cam/1", reconnect=False)
    assert isinstance(stream, StreamSourceConfig)
    assert (stream.url, stream.reconnect, stream.read) == ("rtsp://cam/1", False, "all")
    assert isinstance(SourceConfig(kind="replay").concrete(), ReplaySourceConfig)


def test_with_kind_refuses_unknown_kinds_and_keys() -> None:
    with pytest.raises(ConfigError, match="unknown source kind 'tape'"):
        SourceConfig().with_kind("tape")
    with pytest.raises(ConfigError, match="speed"):
        SourceConfig().with_kind("replay", speed=0)
    with pytest.raises(ValueError, match="unknown source kind"):
        SourceConfig(kind="tape")
