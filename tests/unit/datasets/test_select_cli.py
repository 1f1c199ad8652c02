"""``framewise select`` through its Typer command, in-process (the lead wires it into main.py)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from framewise.cli.select_commands import register
from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from tests.unit.datasets.journal_kit import steady, write_session


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    return app


def _runs(root: Path) -> Path:
    frames = steady("stash", 0.95, 30)
    frames[12] = (frames[12][0], [("stash", 0.61)])
    frames[25] = (frames[25][0], [("stash", 0.95), ("kill_feed", 0.9)])
    write_session(root / "session_a", frames, video="/videos/a.mkv")
    write_session(root / "session_b", steady("map_select", 0.66, 5, start=40.0))
    write_session(root / "session_c", steady("menu", 0.6, 4), journal=False)
    return root


def test_select_writes_a_queue_and_prints_a_table(tmp_path: Path) -> None:
    runs = _runs(tmp_path / "runs")
    out = tmp_path / "queue.json"
    args = ["select", str(runs), "--budget", "3", "--out", str(out)]
    result = CliRunner().invoke(_cli(), [*args, "--band", "0.55", "0.75", "--min-gap", "2"])
    assert result.exit_code == 0, result.output
    queue = json.loads(out.read_text(encoding="utf-8"))
    assert queue["options"]["band"] == [0.55, 0.75]
    assert queue["options"]["min_gap_seconds"] == 2.0
    items = [(i["session"], i["seconds"], tuple(i["classes"])) for i in queue["items"]]
    assert items == [
        ("session_a", 1.2, ("stash",)),
        ("session_a", 2.5, ("kill_feed", "stash")),
        ("session_b", 40.0, ("map_select",)),
    ]
    assert queue["items"][0]["video"] == "/videos/a.mkv"
    assert "session_c" in result.output and "no journal" in result.output
    assert "picked 3 of" in result.output
    assert "kill_feed" in result.output
    assert "disagreement" in result.output  # the flicker frame's main reason


def test_weights_option_changes_the_picks(tmp_path: Path) -> None:
    runs = _runs(tmp_path / "runs")
    out = tmp_path / "queue.json"
    args = ["select", str(runs), "-n", "1", "-o", str(out), "--weights", "u=0,r=1,d=0"]
    result = CliRunner().invoke(_cli(), args)
    assert result.exit_code == 0, result.output
    queue = json.loads(out.read_text(encoding="utf-8"))
    assert queue["options"]["weights"] == {"uncertainty": 0.0, "rarity": 1.0, "disagreement": 0.0}
    assert [i["classes"] for i in queue["items"]] == [["kill_feed", "stash"]]


def test_bad_input_raises_framewise_errors(tmp_path: Path) -> None:
    runs = _runs(tmp_path / "runs")
    out = tmp_path / "queue.json"
    cli, runner = _cli(), CliRunner()
    bad_band = runner.invoke(
        cli, ["select", str(runs), "-n", "2", "-o", str(out), "--band", "0.8", "0.2"]
    )
    assert isinstance(bad_band.exception, ConfigError)
    bad_weights = runner.invoke(cli, ["select", str(runs), "-n", "2", "--weights", "lots"])
    assert isinstance(bad_weights.exception, ConfigError)
    (tmp_path / "empty").mkdir()
    nothing = runner.invoke(cli, ["select", str(tmp_path / "empty"), "-n", "2", "-o", str(out)])
    assert isinstance(nothing.exception, InputNotFoundError)
    no_journal = runner.invoke(cli, ["select", str(runs / "session_c"), "-n", "2", "-o", str(out)])
    assert isinstance(no_journal.exception, InputError)
    assert "journal" in str(no_journal.exception)
    zero = runner.invoke(cli, ["select", str(runs), "-n", "0"])
    assert zero.exit_code == 2  # Click's own range check
    assert not out.exists()
