import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from framewise.core.atomic import _umask, write_json, write_text
from framewise.core.detections import Detections
from framewise.core.errors import (
    ConfigError,
    CorruptVideoError,
    FramewiseError,
    InputError,
    NotAVideoError,
    OutputError,
    SourceError,
)
from framewise.core.events import SCHEMA_VERSION, EventLog
from framewise.core.frames import Frame, batched

SEED_LOG = {
    "metadata": {
        "video_path": "/recordings/2026-01-15_stream.mkv",
        "session_start_time": "2026-01-15T18:00:00Z",
        "session_type": "stream",
        "video_duration_seconds": 10800,
        "total_frames": 648000,
        "detection_fps": 10,
        "model_version": "yolo11n_tarkov_v1",
        "processed_at": "2026-02-15T14:30:00Z",
    },
    "events": [
        {
            "event_id": "evt_002",
            "type": "raid_start",
            "timestamp": "2026-01-15T18:06:10Z",
            "video_offset_seconds": 370.0,
            "frame_number": 22200,
            "confidence": 0.92,
            "data": {"map_name": "customs", "character_type": "pmc", "game_mode": "pve"},
            "thumbnail": "thumbnails/evt_002.jpg",
        }
    ],
}


def test_error_tree_exit_codes_and_one_line() -> None:
    error = CorruptVideoError("no frame could be decoded", subject=Path("a.mkv"), hint="re-mux")
    assert isinstance(error, InputError)
    assert isinstance(error, FramewiseError)
    assert error.one_line() == "a.mkv: no frame could be decoded — re-mux"
    codes = {cls.exit_code for cls in (ConfigError, InputError, SourceError, OutputError)}
    assert len(codes) == 4
    assert 0 not in codes
    assert NotAVideoError("x\ny").one_line() == "x y"


def test_seed_event_log_reads_as_version_0_and_writes_current() -> None:
    log = EventLog.model_validate(SEED_LOG)
    assert log.schema_version == 0
    event = log.events[0]
    assert event.timestamp == datetime(2026, 1, 15, 18, 6, 10, tzinfo=UTC)
    assert event.manually_reviewed is False
    payload = log.to_json_dict()
    assert payload["schema_version"] == SCHEMA_VERSION
    assert payload["events"][0]["timestamp"] == "2026-01-15T18:06:10Z"
    assert EventLog.model_validate(payload) == EventLog.model_validate(
        {**SEED_LOG, "schema_version": SCHEMA_VERSION}
    )


def test_event_log_keeps_unknown_fields_and_rejects_future_versions() -> None:
    log = EventLog.model_validate({**SEED_LOG, "reviewer": "ana"})
    assert log.to_json_dict()["reviewer"] == "ana"
    with pytest.raises(ValidationError, match="upgrade framewise"):
        EventLog.model_validate({**SEED_LOG, "schema_version": SCHEMA_VERSION + 1})


def test_event_confidence_is_validated() -> None:
    bad = json.loads(json.dumps(SEED_LOG))
    bad["events"][0]["confidence"] = 1.5
    with pytest.raises(ValidationError):
        EventLog.model_validate(bad)


def test_detections_validate_and_convert() -> None:
    dets = Detections(
        np.array([[10, 20, 110, 70], [0, 0, 50, 50]], np.float32),
        np.array([0.9, 0.4], np.float32),
        ("kill_notification", "gameplay_hud"),
    )
    assert len(dets) == 2
    assert dets.text == (None, None)
    kept = dets.above(0.5)
    assert kept.class_name == ("kill_notification",)
    assert dets.of_class("gameplay_hud").xyxy.tolist() == [[0, 0, 50, 50]]
    line = dets.select([True, False]).as_yolo_txt(200, 100, {"kill_notification": 3})
    assert line == "3 0.300000 0.450000 0.500000 0.500000\n"
    assert len(Detections.empty()) == 0
    with pytest.raises(ValueError, match="disagree"):
        Detections(np.zeros((2, 4), np.float32), np.zeros(1, np.float32), ("a", "b"))
    with pytest.raises(ValueError, match="x2 >= x1"):
        Detections(np.array([[10, 0, 5, 5]], np.float32), np.array([0.5], np.float32), ("a",))


def test_batched_groups_frames() -> None:
    image = np.zeros((2, 2, 3), np.uint8)
    frames = [Frame(image, i, i / 10, datetime(2026, 1, 1, tzinfo=UTC), "x") for i in range(5)]
    assert [len(b) for b in batched(frames, 2)] == [2, 2, 1]
    with pytest.raises(ValueError, match=">= 1"):
        list(batched(frames, 0))


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "log.json"
    write_json(target, {"a": 1})

    class Unserialisable:
        pass

    with pytest.raises(TypeError):
        write_json(target, {"a": Unserialisable()})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["log.json"]
    write_text(tmp_path / "deep" / "x.txt", "ok")
    assert (tmp_path / "deep" / "x.txt").read_text() == "ok"


def test_atomic_write_gives_normal_file_modes(tmp_path: Path) -> None:
    target = tmp_path / "new.json"
    write_json(target, {})
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()  # not mkstemp's 0600
    target.chmod(0o600)
    write_json(target, {"a": 2})
    assert target.stat().st_mode & 0o777 == 0o600  # an existing file keeps its mode
