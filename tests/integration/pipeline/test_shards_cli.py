"""``framewise process --shard-sec`` on a rendered game session equals the whole-file run.

The Tarkov profile (YOLO + OCR + state machine) runs over a rendered session once whole and
once in 20 s shards on two worker processes, through ``python -m framewise``: the same events
(raids, kills with their OCR'd fields, transitions), log, journal and thumbnails.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from framewise.synth import RenderSettings, render_session
from tests.integration.cli import cli_run
from tests.integration.pipeline.test_shards import _assert_same_run

framewise = partial(cli_run.framewise, timeout=600)
"""The CLI with room for its slowest commands (feature extraction, training, a Tarkov run)."""


@pytest.mark.slow
def test_a_sharded_game_session_gives_the_whole_files_events(tmp_path: Path) -> None:
    video = tmp_path / "session.mkv"
    settings = RenderSettings(
        seconds=75.0, seed=907, width=640, height=360, start_in_raid=True, short_raids=True
    )
    render_session(video, settings)
    # The profile reads coarse-to-fine; shards are read densely, so the dense whole-file read
    # is the run they must equal.
    args: list[str | Path] = ["process", "--video", video, "--profile", "tarkov", "-o"]
    whole = framewise(*args, tmp_path / "whole", "--strategy", "dense")
    assert whole.returncode == 0, whole.stderr
    args.append(tmp_path / "sharded")
    sharded = framewise(*args, "--shard-sec", "20", "--workers", "2")
    assert sharded.returncode == 0, sharded.stderr
    assert "[4 shards of 20 s, local]" in sharded.stdout
    assert "every shard is read densely" in sharded.stdout
    _assert_same_run(tmp_path / "whole" / "session", tmp_path / "sharded" / "session")
    log = (tmp_path / "sharded" / "session" / "events.json").read_text()
    for kind in ("raid_start", "kill", "state_transition"):
        assert f'"type": "{kind}"' in log
    again = framewise(*args, "--shard-sec", "20")
    assert again.returncode == 0 and "already complete" in again.stdout


def test_shard_options_are_checked_up_front(tmp_path: Path) -> None:
    folder = framewise(
        "process", "--video-dir", tmp_path, "--profile", "tarkov", "--shard-sec", "60"
    )
    assert folder.returncode == 2
    assert "--shard-sec splits one video" in folder.stderr
    assert "Traceback" not in folder.stderr
    video = tmp_path / "missing.mkv"
    for bad in ("0", "nan"):
        done = framewise("process", "--video", video, "--profile", "scenes", "--shard-sec", bad)
        assert done.returncode in (2, 3), done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    mixed = framewise(
        "process", "--video", video, "--profile", "tarkov", "--shard-sec", "60",
        "--strategy", "coarse-to-fine",
    )  # fmt: skip
    assert mixed.returncode == 2
    assert "--shard-sec reads every shard densely" in mixed.stderr
    assert len(mixed.stderr.strip().splitlines()) == 1
