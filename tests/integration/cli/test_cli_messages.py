"""What the CLI says: help without ``<bool>`` after flags, ``--start-time`` without a zone,
and an import report that folds the menu transitions outside a raid into one count."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer._click.core import Command
from typer.core import TyperGroup

from framewise.cli.main import build_command, main
from framewise.core.events import Event
from framewise.importer.synthetic import synthetic_log
from tests.integration.cli.cli_run import framewise, make_video

WIDE = {"COLUMNS": "200", "TERM": "dumb"}


def command_paths(command: Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, TyperGroup):
        for name, child in command.commands.items():
            yield from command_paths(child, (*path, name))


def help_of(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    assert main([*path, "--help"]) == 0
    return capsys.readouterr().out


def test_no_flag_shows_a_value_in_any_help(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in WIDE.items():
        monkeypatch.setenv(key, value)
    paths = list(command_paths(build_command()))
    assert len(paths) > 15
    for path in paths:
        text = help_of(path, capsys)
        assert "--help" in text, path
        assert "<bool>" not in text, (path, text)
    probe_help = help_of(("probe",), capsys)
    assert re.search(r"--json\s+Print JSON", probe_help), probe_help  # no type in between
    assert "<path>" in help_of(("frames",), capsys)  # options with a value keep their type


def test_root_help_through_the_entry_point() -> None:
    done = framewise("--help", env=WIDE)
    assert done.returncode == 0, done.stderr
    assert re.search(r"--verbose\s+-v\s+Log progress details", done.stdout), done.stdout
    assert "<bool>" not in done.stdout


def test_live_help_keeps_its_defaults_in_the_sentence() -> None:
    done = framewise("live", "--help", env=WIDE)
    assert done.returncode == 0, done.stderr
    assert "sent to the detectors (default: the pipeline's, 10)." in done.stdout
    assert "confidence threshold (default: the pipeline's)." in done.stdout
    assert not re.search(r"\w \.", done.stdout), done.stdout  # no "detectors ."


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    return make_video(ffmpeg, tmp_path_factory.mktemp("clip") / "clip.mp4")


def test_start_time_without_a_zone_is_local_and_says_so(clip: Path) -> None:
    # POSIX TZ needs no zone database: "XYZ-05:30" is 5 h 30 min ahead of UTC.
    done = framewise(
        "probe", clip, "--json", "--start-time", "2024-01-02 03:04:05", env={"TZ": "XYZ-05:30"}
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["session_start"] == "2024-01-01T21:34:05Z"
    assert done.stderr.strip().splitlines() == [
        "--start-time has no zone; taken as local time (UTC+05:30)"
    ]


def test_start_time_with_a_zone_is_taken_as_given(clip: Path) -> None:
    done = framewise(
        "probe", clip, "--json", "--start-time", "2024-01-02T03:04:05Z", env={"TZ": "XYZ-05:30"}
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["session_start"] == "2024-01-02T03:04:05Z"
    assert done.stderr == ""


def log_with_menus(menus: int) -> str:
    """A one-raid log with ``menus`` state transitions before the raid starts."""
    log = synthetic_log(raids=1, kills_per_raid=2)
    start = log.metadata.session_start_time
    before = [
        Event(
            event_id=f"menu_{n}",
            type="state_transition",
            timestamp=start + timedelta(seconds=1 + n),
            video_offset_seconds=1.0 + n,
            frame_number=30 * (1 + n),
            confidence=1.0,
            data={"from_state": "menu", "to_state": "stash"},
        )
        for n in range(menus)
    ]
    return log.model_copy(update={"events": [*before, *log.events]}).model_dump_json()


def test_import_folds_menu_transitions_into_one_count(tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"s{n}.json").write_text(log_with_menus(6))
    done = framewise("import", "--dry-run", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "outside a raid; skipped" not in done.stdout
    for n in range(3):
        assert done.stdout.count(f"s{n}.json: 6 events outside a raid skipped") == 1
    assert "warnings (3):" in done.stdout
