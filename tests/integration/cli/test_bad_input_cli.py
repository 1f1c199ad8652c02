"""Bad input never exits 0: invalid logs, ground truths, frame ranges and videos, as a user
meets them through ``python -m framewise``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from framewise.importer.synthetic import synthetic_log
from tests.integration.cli.cli_run import framewise, make_video, one_error


def good_log() -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(synthetic_log(raids=1, kills_per_raid=2).model_dump_json())
    return payload


def _without_metadata() -> dict[str, Any]:
    payload = good_log()
    del payload["metadata"]
    return payload


def _with(**changes: Any) -> dict[str, Any]:
    return {**good_log(), **changes}


def _nan_event() -> str:
    text = json.dumps(good_log())
    return text.replace('"video_offset_seconds": 60.0', '"video_offset_seconds": NaN', 1)


BAD_LOGS: dict[str, str] = {
    "empty.json": "",
    "truncated.json": json.dumps(good_log())[:200],
    "list.json": "[]",
    "events-not-a-list.json": json.dumps(_with(events={"a": 1})),
    "nan-event.json": _nan_event(),
    "no-metadata.json": json.dumps(_without_metadata()),
    "version-99.json": json.dumps(_with(schema_version=99)),
    "version-two.json": json.dumps(_with(schema_version="two")),
}
"""Files the probe found exiting 0 from ``import --dry-run`` (and ``eval``)."""


@pytest.fixture
def bad_logs(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, text in BAD_LOGS.items():
        (folder / name).write_text(text)
    assert "NaN" in BAD_LOGS["nan-event.json"]
    return folder


@pytest.mark.parametrize("name", sorted(BAD_LOGS))
def test_import_dry_run_of_an_invalid_log_fails(name: str, bad_logs: Path) -> None:
    done = framewise("import", "--dry-run", bad_logs / name)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"{name}: failed:" in done.stdout


def test_import_dry_run_of_a_folder_of_invalid_logs_fails(bad_logs: Path) -> None:
    done = framewise("import", "--dry-run", bad_logs)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"failures ({len(BAD_LOGS)}):" in done.stdout


def test_import_of_an_empty_folder_fails(tmp_path: Path) -> None:
    done = framewise("import", "--dry-run", tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "no event logs here" in one_error(done)


def test_a_run_folder_imports_without_its_manifest_and_summary(tmp_path: Path) -> None:
    run = tmp_path / "events" / "session"
    run.mkdir(parents=True)
    (run / "events.json").write_text(json.dumps(good_log()))
    (run / "manifest.json").write_text(json.dumps({"config_hash": "abc", "outputs": []}))
    (tmp_path / "events" / "summary.json").write_text(json.dumps({"videos": []}))
    done = framewise("import", "--dry-run", tmp_path / "events")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "import summary (dry run: nothing sent): 1 log(s)" in done.stdout
    assert "failures" not in done.stdout


@pytest.mark.parametrize("name", ["version-99.json", "version-two.json", "no-metadata.json"])
@pytest.mark.parametrize("role", ["log", "truth"])
def test_eval_of_an_invalid_log_fails_with_one_line(
    name: str, role: str, bad_logs: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(good_log()))
    bad = bad_logs / name
    done = framewise("eval", *((bad, good) if role == "log" else (good, bad)))
    assert done.returncode == 3, done.stdout + done.stderr
    assert str(bad) in one_error(done)
    assert done.stdout == ""


def test_eval_says_which_ground_truth_it_takes(tmp_path: Path, real_data: Path) -> None:
    log = tmp_path / "events.json"
    log.write_text(json.dumps(good_log()))
    corpus = real_data / "pyscenedetect/counter.mp4.groundtruth.json"
    done = framewise("eval", log, corpus)
    assert done.returncode == 3, done.stdout + done.stderr
    line = one_error(done)
    assert "not a ground truth eval can score" in line
    assert "'framewise-synth-groundtruth'" in line and "event log" in line
    assert "KeyError" not in line


def test_eval_scores_a_synth_ground_truth(tmp_path: Path) -> None:
    session = tmp_path / "s.mkv"
    rendered = framewise("synth", "--minutes", "0.1", "--seed", "3", "--out", session)
    assert rendered.returncode == 0, rendered.stderr
    truth = tmp_path / "s.groundtruth.json"
    events = json.loads(truth.read_text())["events"]
    assert events
    log = tmp_path / "events.json"
    log.write_text(json.dumps({**good_log(), "events": events}))
    done = framewise("eval", log, truth, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["overall"]["recall"] == 1.0


def test_frames_with_end_before_start_is_a_config_error(tmp_path: Path, ffmpeg: str) -> None:
    video = make_video(ffmpeg, tmp_path / "clip.mp4", seconds=4)
    done = framewise("frames", video, "--out", tmp_path / "f", "--start", "3", "--end", "1")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--end 1 is not after --start 3" in one_error(done)
    assert not (tmp_path / "f").exists()


def test_review_refuses_a_video_that_is_not_one_before_serving(tmp_path: Path) -> None:
    log = tmp_path / "events.json"
    log.write_text(json.dumps(good_log()))
    text = tmp_path / "text.mp4"
    text.write_text("these are my notes, not a video\n" * 50)
    try:
        done = framewise("review", log, "--video", text, "--no-browser", "--port", "0", timeout=30)
    except subprocess.TimeoutExpired:  # it served instead of refusing
        pytest.fail("review started serving a text file as the video")
    assert done.returncode == 3, done.stdout + done.stderr
    assert str(text) in one_error(done)
    assert "reviewing" not in done.stdout
