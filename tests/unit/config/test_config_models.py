"""Pipeline configuration models: defaults, unions, registries, cross-checks (tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from framewise.config import (
    DETECTOR_CONFIGS,
    FILTER_CONFIGS,
    SINK_CONFIGS,
    DetectorConfig,
    EpisodeFilterConfig,
    JsonLogSinkConfig,
    OcrConfig,
    PipelineConfig,
    SinkConfig,
    StoreSinkConfig,
    WebSocketSinkConfig,
    YoloOnnxConfig,
    load_pipeline,
    parse_config,
)
from framewise.config.detectors import (
    BallConfig,
    ClipFeaturesConfig,
    DescriberConfig,
    GateConfig,
    GrabCutConfig,
    HandsConfig,
    HogPeopleConfig,
    MotionConfig,
    OpenVocabConfig,
    PeopleTrackConfig,
    PersonDetectConfig,
    PoseConfig,
    SceneDetectConfig,
    ScreenTextConfig,
    SegmenterConfig,
    SelfieSegmenterConfig,
    TaggerConfig,
    TaskClassifierConfig,
    TextBoxesConfig,
)

YOLO = {"kind": "yolo_onnx", "model": "m.onnx"}


def pipeline(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"detectors": [YOLO]}
    data.update(overrides)
    return data


def test_defaults_follow_the_issue() -> None:
    cfg = PipelineConfig.model_validate(pipeline())
    det = cfg.detectors[0]
    assert isinstance(det, YoloOnnxConfig)
    assert cfg.source.detection_fps == 10.0
    assert det.providers == ["CPUExecutionProvider"]
    assert det.intra_op_threads == 1
    assert cfg.source.sample_period_seconds == pytest.approx(0.1)
    assert cfg.filters == [] and cfg.sinks == [] and cfg.state_machine is None


@pytest.mark.parametrize(
    ("data", "expected_type"),
    [
        (YOLO, YoloOnnxConfig),
        ({"kind": "ocr", "classes": ["kill_notification"]}, OcrConfig),
    ],
)
def test_detector_union_picks_branch_by_kind(data: dict[str, Any], expected_type: type) -> None:
    assert isinstance(TypeAdapter(DetectorConfig).validate_python(data), expected_type)


@pytest.mark.parametrize(
    ("data", "expected_type"),
    [
        ({"kind": "json_log"}, JsonLogSinkConfig),
        ({"kind": "websocket", "port": 9000}, WebSocketSinkConfig),
        ({"kind": "store", "api_url": "http://127.0.0.1:8000"}, StoreSinkConfig),
    ],
)
def test_sink_union_picks_branch_by_kind(data: dict[str, Any], expected_type: type) -> None:
    assert isinstance(TypeAdapter(SinkConfig).validate_python(data), expected_type)


def test_registries_map_every_kind_to_its_model() -> None:
    assert dict(DETECTOR_CONFIGS) == {
        "yolo_onnx": YoloOnnxConfig,
        "ocr": OcrConfig,
        "pose": PoseConfig,
        "hands": HandsConfig,
        "task_classifier": TaskClassifierConfig,
        "gate": GateConfig,
        "tagger": TaggerConfig,
        "open_vocab_detector": OpenVocabConfig,
        "segmenter": SegmenterConfig,
        "clip_features": ClipFeaturesConfig,
        "hog_people": HogPeopleConfig,
        "text_boxes": TextBoxesConfig,
        "grabcut_segmenter": GrabCutConfig,
        "describer": DescriberConfig,
        "selfie_segmenter": SelfieSegmenterConfig,
        "scene_detect": SceneDetectConfig,
        "motion": MotionConfig,
        "screen_text": ScreenTextConfig,
        "ball": BallConfig,
        "person_detect": PersonDetectConfig,
        "people_track": PeopleTrackConfig,
    }
    assert dict(FILTER_CONFIGS) == {"episode": EpisodeFilterConfig}
    assert set(SINK_CONFIGS) == {
        "json_log",
        "websocket",
        "store",
        "journal",
        "parquet",
        "annotations",
    }
    for kind, model in {**DETECTOR_CONFIGS, **FILTER_CONFIGS, **SINK_CONFIGS}.items():
        assert model.model_fields["kind"].annotation.__args__ == (kind,)  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        DETECTOR_CONFIGS["x"] = YoloOnnxConfig  # type: ignore[index]


BAD = [
    ("unknown top key", pipeline(detectorz=[]), "detectorz"),
    ("no detectors", {"detectors": []}, "at least 1"),
    ("confidence > 1", pipeline(detectors=[{**YOLO, "confidence": 1.5}]), "less than or equal"),
    ("not onnx", pipeline(detectors=[{**YOLO, "model": "m.pt"}]), ".onnx"),
    (
        "bad provider",
        pipeline(detectors=[{**YOLO, "providers": ["CUDA"]}]),
        "CUDAExecutionProvider",
    ),
    ("input size not /32", pipeline(detectors=[{**YOLO, "input_size": 300}]), "multiple of 32"),
    ("no providers", pipeline(detectors=[{**YOLO, "providers": []}]), "at least 1"),
    ("same names", pipeline(detectors=[YOLO, YOLO]), "repeat"),
    ("bad kind", pipeline(detectors=[{"kind": "yolo"}]), "does not match"),
    ("fps zero", pipeline(source={"detection_fps": 0}), "greater than 0"),
    ("decode option", pipeline(source={"decode": {"skip_frame": "SOME"}}), "NONREF"),
    (
        "ocr parser for unread class",
        pipeline(
            detectors=[
                YOLO,
                {"kind": "ocr", "classes": ["a"], "parsers": {"b": {"pattern": "(?P<x>.)"}}},
            ]
        ),
        "not read",
    ),
    (
        "regex without groups",
        pipeline(
            detectors=[{"kind": "ocr", "classes": ["a"], "parsers": {"a": {"pattern": ".+"}}}]
        ),
        "named groups",
    ),
    (
        "regex does not compile",
        pipeline(
            detectors=[{"kind": "ocr", "classes": ["a"], "parsers": {"a": {"pattern": "(?P<x>"}}}]
        ),
        "does not compile",
    ),
    (
        "field is not a group",
        pipeline(
            detectors=[
                {
                    "kind": "ocr",
                    "classes": ["a"],
                    "parsers": {"a": {"pattern": "(?P<x>.)", "fields": {"y": {}}}},
                }
            ]
        ),
        "not named groups",
    ),
    (
        "class in two filters",
        pipeline(
            filters=[{"kind": "episode", "classes": ["a"]}, {"kind": "episode", "classes": ["a"]}]
        ),
        "two filters",
    ),
    (
        "two catch-alls",
        pipeline(filters=[{"kind": "episode"}, {"kind": "episode"}]),
        "catch-all",
    ),
    (
        "hits zero",
        pipeline(filters=[{"kind": "episode", "confirm": {"hits": 0}}]),
        "greater than or equal",
    ),
    ("store url", pipeline(sinks=[{"kind": "store", "api_url": "ftp://x"}]), "pattern"),
    (
        "two tokens",
        pipeline(sinks=[{"kind": "store", "api_url": "http://x", "token": "a", "token_env": "B"}]),
        "not both",
    ),
    (
        "jpeg quality",
        pipeline(sinks=[{"kind": "json_log", "jpeg_quality": 0}]),
        "greater than or equal",
    ),
    ("state machine suffix", pipeline(state_machine="sm.txt"), ".yaml"),
]


@pytest.mark.parametrize(("case", "data", "needle"), BAD, ids=[b[0] for b in BAD])
def test_invalid_configs_are_rejected(case: str, data: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError) as info:
        PipelineConfig.model_validate(data)
    assert needle in str(info.value), case


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / "pipeline.yaml").write_text(
        "detectors:\n  - kind: yolo_onnx\n    model: models/m.onnx\n"
        "  - kind: ocr\n    classes: [a]\n    parsers:\n      a:\n        pattern: '(?P<x>.+)'\n"
        "        fields: {x: {vocabulary_file: vocab.txt}}\n"
        "state_machine: state_machine.yaml\n"
        "sinks:\n  - kind: json_log\n    output_dir: out\n"
    )
    cfg = load_pipeline(folder / "pipeline.yaml")
    yolo, ocr = cfg.detectors
    assert isinstance(yolo, YoloOnnxConfig) and isinstance(ocr, OcrConfig)
    assert yolo.model == folder.resolve() / "models" / "m.onnx"
    assert ocr.parsers["a"].fields["x"].vocabulary_file == folder.resolve() / "vocab.txt"
    assert cfg.state_machine == folder.resolve() / "state_machine.yaml"
    # Output folders are the user's (relative to where they run), not the profile's.
    assert cfg.sinks[0].output_dir == Path("out")  # type: ignore[union-attr]


def test_absolute_paths_stay_and_strings_resolve_without_a_file() -> None:
    cfg = parse_config("detectors: [{kind: yolo_onnx, model: /abs/m.onnx}]", PipelineConfig)
    assert cfg.detectors[0].model == Path("/abs/m.onnx")  # type: ignore[union-attr]


def test_period_seconds_prefers_the_rule_then_the_source() -> None:
    cfg = PipelineConfig.model_validate(
        pipeline(
            source={"detection_fps": 4},
            filters=[
                {"kind": "episode", "classes": ["a"]},
                {"kind": "episode", "classes": ["b"], "confirm": {"period_seconds": 0.5}},
            ],
        )
    )
    assert [cfg.period_seconds(f) for f in cfg.filters] == [0.25, 0.5]


def test_store_token_from_file_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    direct = StoreSinkConfig.model_validate({"kind": "store", "api_url": "http://h", "token": "s3"})
    assert direct.resolved_token() == "s3"
    assert "s3" not in repr(direct)
    monkeypatch.setenv("FW_TOKEN", "from-env")
    env = StoreSinkConfig.model_validate(
        {"kind": "store", "api_url": "http://h", "token_env": "FW_TOKEN"}
    )
    assert env.resolved_token() == "from-env"
    none = StoreSinkConfig.model_validate({"kind": "store", "api_url": "http://h"})
    assert none.resolved_token() is None


def test_models_are_frozen() -> None:
    cfg = PipelineConfig.model_validate(pipeline())
    with pytest.raises(ValidationError):
        cfg.source.detection_fps = 5
