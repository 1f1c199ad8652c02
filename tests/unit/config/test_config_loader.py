"""YAML/JSON loading: every error names the file and the line of the offending key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import framewise
from framewise.config import (
    PipelineConfig,
    SourceConfig,
    StateMachineSpec,
    load_config,
    load_pipeline,
    load_state_machine,
    parse_config,
)
from framewise.config.detectors import DETECTOR_CONFIGS
from framewise.core.errors import ConfigError

STAGE_KINDS = ", ".join(sorted(DETECTOR_CONFIGS))
"""Every stage kind, as the message of a missing or unknown kind lists them."""

GOOD = """\
name: demo
source:
  detection_fps: 10
  decode:
    skip_frame: NONREF
detectors:
  - kind: yolo_onnx
    model: model.onnx
    confidence: 0.3
  - kind: ocr
    classes: [kill_notification]
    parsers:
      kill_notification:
        pattern: '(?P<enemy_type>\\w+) (?P<weapon>\\S+)'
        fields:
          weapon: {vocabulary: [AK-74M, M4A1]}
filters:
  - kind: episode
    classes: [kill_notification]
    hold_seconds: 0.5
sinks:
  - kind: json_log
    output_dir: out
"""


def _replace_line(text: str, line: int, new: str) -> str:
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


# (case, 1-based line to replace in GOOD, new text, expected error line, words in the message)
YAML_CASES = [
    (
        "typo in a detector key",
        9,
        "    confidnce: 0.3",
        9,
        ["unknown key", "did you mean 'confidence'"],
    ),
    (
        "value out of range",
        9,
        "    confidence: 3",
        9,
        ["detectors[0].confidence", "less than or equal"],
    ),
    (
        "unknown kind",
        7,
        "  - kind: yolo",
        7,
        [
            "does not match",
            f"set kind to one of: {STAGE_KINDS}",
        ],
    ),
    ("kind missing", 18, "  - classes_: x", 18, ["kind", "set kind to one of: episode"]),
    ("nested decode option", 5, "    skip_frame: SOMETIMES", 5, ["source.decode.skip_frame"]),
    (
        "deep OCR field",
        16,
        "          weapon: {vocabulary: [AK-74M], min_similarity: 2}",
        16,
        ["detectors[1].parsers.kill_notification.fields.weapon.min_similarity"],
    ),
    ("bad regex", 14, "        pattern: '(?P<enemy'", 14, ["does not compile"]),
    ("sink kind", 22, "  - kind: jsonlog", 22, ["json_log", "store", "websocket"]),
    (
        "missing required key",
        8,
        "    name: x",
        7,
        ["detectors[0].model", "required key is missing", "add the required key 'model'"],
    ),
    ("top-level typo", 1, "nmae: demo", 1, ["nmae", "did you mean 'name'"]),
]


@pytest.mark.parametrize(
    ("case", "line", "new", "expected_line", "words"), YAML_CASES, ids=[c[0] for c in YAML_CASES]
)
def test_validation_errors_name_file_and_line(
    tmp_path: Path, case: str, line: int, new: str, expected_line: int, words: list[str]
) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text(_replace_line(GOOD, line, new))
    with pytest.raises(ConfigError) as info:
        load_pipeline(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{expected_line}: "), (case, message)
    assert "\n" not in message
    for word in words:
        assert word in message, (case, message)
    assert info.value.exit_code == 2


def test_the_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text(GOOD)
    cfg = load_pipeline(path)
    assert cfg.source.decode.skip_frame == "NONREF"
    assert [d.kind for d in cfg.detectors] == ["yolo_onnx", "ocr"]
    assert cfg.filters[0].hold_seconds == 0.5


SYNTAX_CASES = [
    ("bad indentation", "a: 1\n b: 2\n", 2, "invalid YAML"),
    ("unclosed bracket", "detectors: [1, 2\nname: x\n", 2, "invalid YAML"),
    ("tab indentation", "source:\n\tdetection_fps: 3\n", 2, "invalid YAML"),
    ("duplicate key", "name: a\nsource: {}\nname: b\n", 3, "appears twice"),
    ("nested duplicate", "source:\n  batch_size: 1\n  batch_size: 2\n", 3, "first at line 2"),
    ("list at top", "- a\n- b\n", 1, "not a mapping"),
]


@pytest.mark.parametrize(
    ("case", "text", "line", "words"), SYNTAX_CASES, ids=[c[0] for c in SYNTAX_CASES]
)
def test_yaml_syntax_errors_name_file_and_line(
    tmp_path: Path, case: str, text: str, line: int, words: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_pipeline(path)
    assert str(info.value).startswith(f"{path}:{line}: "), (case, str(info.value))
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("case", "setup", "words"),
    [
        ("missing file", lambda p: None, "not found"),
        ("folder", lambda p: p.mkdir(), "is a folder"),
        ("empty file", lambda p: p.write_text("# only a comment\n"), "empty"),
        ("not utf-8", lambda p: p.write_bytes(b"name: \xff\xfe\n"), "UTF-8"),
    ],
)
def test_file_problems_are_config_errors(
    tmp_path: Path, case: str, setup: object, words: str
) -> None:
    path = tmp_path / "pipeline.yaml"
    setup(path)  # type: ignore[operator]
    with pytest.raises(ConfigError) as info:
        load_pipeline(path)
    assert str(path) in str(info.value) and words in str(info.value), case


def test_json_validation_error_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.json"
    data = {"detectors": [{"kind": "yolo_onnx", "model": "m.onnx", "iou": 7}]}
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(ConfigError) as info:
        load_pipeline(path)
    # {, "detectors": [, {, "kind", "model", "iou" → line 6
    assert str(info.value).startswith(f"{path}:6: detectors[0].iou")


def test_json_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.json"
    path.write_text('{\n  "detectors": [\n    {"kind": "yolo_onnx",}\n  ]\n}\n')
    with pytest.raises(ConfigError) as info:
        load_pipeline(path)
    assert str(info.value).startswith(f"{path}:3: invalid JSON")


def test_json_loads(tmp_path: Path) -> None:
    path = tmp_path / "source.json"
    path.write_text('{"detection_fps": 2.5, "batch_size": 4}')
    assert load_config(path, SourceConfig).batch_size == 4


def test_parse_config_names_its_source() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("detection_fps: -1\n", SourceConfig, source="--source-json")
    assert str(info.value).startswith("--source-json:1: detection_fps")


def test_several_errors_are_counted_on_one_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("detection_fps: -1\nbatch_size: 0\nread: x\n", SourceConfig)
    assert "(and 2 more errors)" in str(info.value)


TARKOV = Path(framewise.__file__).parent / "profiles" / "tarkov" / "state_machine.yaml"


def test_shipped_tarkov_table_loads() -> None:
    spec = load_state_machine(TARKOV)
    assert spec.initial == "idle"
    assert spec.state_of_class()["gameplay_hud"] == "raid"
    assert not spec.allowed("idle", "survived")
    assert spec.allowed("raid", "transfer") and spec.allowed("transfer", "deploying")
    assert {r.type for r in spec.events} == {"state_transition", "raid_start", "raid_end", "kill"}


STATE_MACHINE_CASES = [
    ("unknown initial", "initial: nowhere\nstates: {idle: {}}\n", 1, "unknown states ['nowhere']"),
    (
        "unknown target",
        "initial: idle\nstates: {idle: {}}\ntransitions:\n  idle: [raid]\n",
        1,
        "transitions.idle",
    ),
    (
        "class in two states",
        "initial: a\nstates:\n  a: {classes: [x]}\n  b: {classes: [x]}\n",
        1,
        "signals both",
    ),
    (
        "bad data reference",
        "initial: a\nstates: {a: {}}\nevents:\n  - type: t\n    when: enter\n"
        "    data: {x: fields:y}\n",
        6,
        "events[0].data.x",
    ),
    (
        "episode rule without classes",
        "initial: a\nstates: {a: {}}\nevents:\n  - type: kill\n    when: episode\n",
        4,
        "needs classes",
    ),
    (
        "requires a scope nobody opens",
        "initial: a\nstates: {a: {}}\nevents:\n"
        "  - {type: k, when: episode, classes: [x], requires: [raid]}\n",
        1,
        "no rule opens",
    ),
    (
        "unknown trigger",
        "initial: a\nstates: {a: {}}\nevents:\n  - {type: k, when: never}\n",
        4,
        "when",
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "line", "words"), STATE_MACHINE_CASES, ids=[c[0] for c in STATE_MACHINE_CASES]
)
def test_state_machine_errors(tmp_path: Path, case: str, text: str, line: int, words: str) -> None:
    path = tmp_path / "state_machine.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_state_machine(path)
    assert str(info.value).startswith(f"{path}:{line}: "), (case, str(info.value))
    assert words in str(info.value), (case, str(info.value))


def test_models_accept_validated_python_too() -> None:
    spec = StateMachineSpec.model_validate({"initial": "a", "states": {"a": {}}})
    assert spec.allowed("a", "a") and not spec.allowed("a", "b")
    assert isinstance(
        parse_config("detectors: [{kind: ocr, classes: [a]}]", PipelineConfig), PipelineConfig
    )


# (case, YAML text, the whole expected one-line message after "<string>:")
INLINE_CASES = [
    (
        "plain union members are said as one",
        "detectors: [{kind: yolo_onnx, model: m.onnx, input_size: abc}]",
        "1: detectors[0].input_size: Input should be a valid integer, unable to parse string as "
        "an integer; or Input should be a valid tuple — change the value on that line",
    ),
    (
        "a single-branch union's tag is left out",
        "detectors: [{kind: ocr, classes: [a]}]\nfilters:\n  - kind: episode\n"
        "    tracking: {iouu: 1}\n",
        "4: filters[0].tracking.iouu: unknown key — remove it or fix its spelling "
        "(did you mean 'iou'?); allowed keys: duplicate_overlap, iou, match_fields, max_misread, "
        "max_shift, split_after, split_gap_seconds",
    ),
    (
        "kind missing",
        "detectors:\n  - model: m.onnx\n",
        "2: detectors[0]: Unable to extract tag using discriminator 'kind' — "
        f"set kind to one of: {STAGE_KINDS}",
    ),
    (
        "literal choices",
        "detectors: [{kind: ocr, classes: [a], det_limit_type: maximum}]",
        "1: detectors[0].det_limit_type: Input should be 'max' or 'min' — "
        "change the value on that line",
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "expected"), INLINE_CASES, ids=[c[0] for c in INLINE_CASES]
)
def test_whole_messages(case: str, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, PipelineConfig)
    assert str(info.value) == f"<string>:{expected}", case
