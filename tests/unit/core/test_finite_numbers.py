"""NaN and ±Infinity are not JSON: refused when read, refused when written, refused in events."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError, OutputError
from framewise.core.events import Event, EventLog, LogMetadata
from framewise.core.jsonfile import read_json, strict_loads

START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)


def _event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": "evt_1",
        "type": "kill",
        "timestamp": START,
        "video_offset_seconds": 1.0,
        "frame_number": 30,
        "confidence": 0.9,
        "data": {"weapon": "AK-74M"},
    }
    return {**event, **changes}


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ('{"a": NaN}', "NaN"),
        ('{"a": [1, Infinity]}', "Infinity"),
        ('{"a": -Infinity}', "-Infinity"),
        ('{"a": 1e999}', "1e999"),
        ('{"a": -2E+400}', "-2E+400"),
    ],
)
def test_strict_loads_refuses_non_finite_numbers_where_they_are(text: str, token: str) -> None:
    assert not all(math.isfinite(v) for v in _numbers(json.loads(text)))  # Python's reader takes it
    with pytest.raises(json.JSONDecodeError) as caught:
        strict_loads(text)
    assert caught.value.pos == text.index(token)
    assert token in caught.value.msg and "finite" in caught.value.msg


def test_strict_loads_reads_strings_that_spell_nan_and_ordinary_numbers() -> None:
    text = '{"weapon": "NaN", "note": "Infinity \\" NaN", "x": 1.5e3, "n": -0.0, "big": 10}'
    assert strict_loads(text) == json.loads(text)
    assert strict_loads(b'{"a": 1}') == {"a": 1}
    with pytest.raises(json.JSONDecodeError) as caught:
        strict_loads('{"weapon": "NaN", "x": NaN}')
    assert caught.value.pos == len('{"weapon": "NaN", "x": ')


def test_read_json_names_the_non_finite_number(tmp_path: Path) -> None:
    path = tmp_path / "queue.json"
    path.write_text('{\n  "score": NaN\n}\n')
    with pytest.raises(ConfigError, match=r"line 2, column 12: NaN is not a finite number"):
        read_json(path, what="review queue", hint="run select again")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_write_json_refuses_nan_and_keeps_the_old_file(tmp_path: Path, bad: float) -> None:
    path = tmp_path / "events.json"
    write_json(path, {"ok": 1})
    with pytest.raises(
        OutputError, match=r"events\[0\]\.data\.weapon is not a finite number"
    ) as caught:
        write_json(path, {"events": [{"data": {"weapon": bad}}]})
    assert caught.value.subject == str(path)
    assert json.loads(path.read_text()) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["events.json"]


@pytest.mark.parametrize(
    "changes",
    [
        {"confidence": math.nan},
        {"video_offset_seconds": math.inf},
        {"data": {"weapon": math.nan}},
        {"data": {"scores": [0.5, {"deep": -math.inf}]}},
        {"original": {"confidence": math.nan}},
    ],
)
def test_events_refuse_non_finite_numbers(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="finite"):
        Event.model_validate(_event(**changes))


def test_log_metadata_and_whole_logs_refuse_non_finite_numbers() -> None:
    metadata: dict[str, Any] = {
        "video_path": "v.mkv",
        "session_start_time": START,
        "video_duration_seconds": 10.0,
        "total_frames": 300,
        "detection_fps": 10.0,
        "processed_at": START,
    }
    assert LogMetadata.model_validate(metadata).detection_fps == 10.0
    for key, value in [
        ("video_duration_seconds", math.inf),
        ("detection_fps", math.inf),
        ("source_stats", {"kept": math.nan}),
    ]:
        with pytest.raises(ValidationError, match="finite"):
            LogMetadata.model_validate({**metadata, key: value})
    text = json.dumps({"metadata": metadata | {"session_start_time": "2026-01-15T18:00:00Z",
                                               "processed_at": "2026-01-15T18:00:00Z"},
                       "events": [_event(timestamp="2026-01-15T18:00:01Z",
                                         data={"weapon": math.nan})]})  # fmt: skip
    with pytest.raises(ValidationError, match=r"finite"):
        EventLog.model_validate(json.loads(text))


def test_finite_data_is_kept_as_it_was() -> None:
    data = {"weapon": "AK", "distance": 12.5, "hits": [1, 2.5], "nested": {"x": None, "ok": True}}
    assert Event.model_validate(_event(data=data)).data == data


def _numbers(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []
