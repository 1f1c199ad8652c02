"""eval reads its ground truth through validated readers and names what it takes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError, InputError
from framewise.eval.events import (
    SYNTH_TRUTH_FORMAT,
    SYNTH_TRUTH_NEWEST,
    GroundTruthError,
    read_events,
    read_truth,
)
from framewise.events.log import EventLogError
from framewise.importer.synthetic import synthetic_log
from framewise.synth.groundtruth import FORMAT, GROUNDTRUTH_SCHEMA_VERSION


def test_the_synth_format_is_the_renderers() -> None:
    assert SYNTH_TRUTH_FORMAT == FORMAT
    assert SYNTH_TRUTH_NEWEST == GROUNDTRUTH_SCHEMA_VERSION


@pytest.fixture
def log_json() -> dict[str, object]:
    payload: dict[str, object] = json.loads(
        synthetic_log(raids=1, kills_per_raid=2).model_dump_json()
    )
    return payload


def test_an_event_log_and_a_synth_truth_both_read(
    tmp_path: Path, log_json: dict[str, object]
) -> None:
    log = tmp_path / "events.json"
    log.write_text(json.dumps(log_json))
    truth = tmp_path / "s.groundtruth.json"
    extra = {"metadata": {"video": "s.mkv"}, "elements": []}  # the boxes eval does not read
    truth.write_text(
        json.dumps({"format": FORMAT, "schema_version": 2, **extra, "events": log_json["events"]})
    )
    assert read_truth(log) == read_truth(truth) == read_events(log)
    assert len(read_truth(truth)) == 7


@pytest.mark.parametrize(
    ("payload", "error", "says"),
    [
        ({"video": "counter.mp4", "state_segments": []}, GroundTruthError, "no 'metadata'"),
        ({"format": "MOTChallenge CSV", "files": []}, GroundTruthError, "'MOTChallenge CSV'"),
        ([1, 2], GroundTruthError, "a JSON list"),
        ({"format": FORMAT, "schema_version": 3, "events": []}, GroundTruthError, "schema_version"),
        ({"schema_version": 99, "events": []}, EventLogError, "newer than this framewise"),
        ({"events": []}, EventLogError, "metadata"),
    ],
)
def test_what_is_no_ground_truth_fails_with_exit_3(
    tmp_path: Path, payload: object, error: type[InputError], says: str
) -> None:
    path = tmp_path / "truth.json"
    path.write_text(json.dumps(payload))
    with pytest.raises(error, match=says) as caught:
        read_truth(path)
    assert caught.value.exit_code == 3
    assert isinstance(caught.value, ConfigError)  # callers that caught the old error still do
    if error is GroundTruthError and "format" not in str(payload):
        assert "framewise-synth-groundtruth" in caught.value.one_line()
