"""``framewise synth`` and ``framewise dataset yolo`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from framewise.cli.synth_commands import register
from framewise.core.errors import ConfigError


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()

    @application.callback()
    def _root() -> None:
        """A bare root, as framewise's own."""

    register(application)
    return application


def test_synth_then_dataset(app: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    for seed in (1, 2):
        out = tmp_path / f"s{seed}.mkv"
        args = ["synth", "--minutes", "0.15", "--seed", str(seed), "--out", str(out)]
        result = runner.invoke(app, [*args, "--size", "320x180", "--fps", "15", "--vfr"])
        assert result.exit_code == 0, result.output
        assert "ground truth" in result.output
        truth = json.loads((tmp_path / f"s{seed}.groundtruth.json").read_text())
        assert truth["metadata"]["vfr"] is True
        assert truth["metadata"]["fps"] == 15.0
        assert out.exists()
    result = runner.invoke(
        app,
        [
            *("dataset", "yolo", str(tmp_path / "s1.mkv"), str(tmp_path / "s2.mkv")),
            *("--out", str(tmp_path / "ds"), "--fps", "1", "--val-share", "0.5"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ds" / "data.yaml").exists()
    assert "train:" in result.output and "val:" in result.output


def test_synth_refuses_bad_input(app: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["synth", "--minutes", "0.1", "--out", str(tmp_path / "a.avi")])
    assert isinstance(result.exception, ConfigError)
    result = runner.invoke(app, ["synth", "--size", "big", "--out", str(tmp_path / "a.mkv")])
    assert isinstance(result.exception, ConfigError)
    result = runner.invoke(app, ["synth", "--minutes", "0", "--out", str(tmp_path / "a.mkv")])
    assert isinstance(result.exception, ConfigError)
    assert not list(tmp_path.iterdir())
