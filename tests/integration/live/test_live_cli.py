"""``framewise live`` as a process: a replay served until its end, and bad flags."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from framewise.cli import live_commands
from framewise.core.errors import ConfigError, FramewiseError, InputError

# The command as the main CLI will have it (registered here until main.py wires it).
ENTRY = (
    "import sys\n"
    "from framewise.cli import live_commands, main\n"
    "if 'live' not in [c.name for c in main.app.registered_commands]:\n"
    "    live_commands.register(main.app)\n"
    "sys.exit(main.main(sys.argv[1:]))\n"
)


def framewise(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_live_replay_runs_to_the_end_of_the_file(workspace: Path) -> None:
    done = framewise(
        "live",
        "--source",
        workspace / "colours.mkv",
        "--replay",
        "--speed",
        "4",
        "--config",
        workspace / "pipeline.yaml",
        "--port",
        "0",
        "--exit-at-end",
    )
    assert done.returncode == 0, done.stderr
    first, last = done.stdout.strip().splitlines()[0], done.stdout.strip().splitlines()[-1]
    assert "(replay) → ws://127.0.0.1:" in first
    assert "/overlay" in first
    assert "8 events" in last
    assert "'raid_start': 2" in last
    assert "status ended" in last


def test_a_source_that_cannot_be_opened_fails_with_one_line(workspace: Path) -> None:
    missing = workspace / "gone.mkv"
    done = framewise(
        "live", "--source", missing, "--config", workspace / "pipeline.yaml", "--port", "0"
    )
    assert done.returncode == 4, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"framewise: error: {missing}: cannot open: No such file or directory — "
        "check the URL or path (and the credentials)"
    ]
    assert "status error" in done.stdout


def test_bad_flags_raise_errors_that_name_the_fix(workspace: Path) -> None:
    app = typer.Typer()
    live_commands.register(app)
    app.command("other")(lambda: None)  # two commands: "live" stays a subcommand
    clip, config = workspace / "colours.mkv", workspace / "pipeline.yaml"
    cases: list[tuple[list[str | Path], type[FramewiseError], str]] = [
        (["--source", clip, "--speed", "2", "--config", config], ConfigError, "needs --replay"),
        (["--source", clip, "--replay"], ConfigError, "exactly one of --profile and --config"),
        (
            ["--source", clip, "--config", config, "--host", "0.0.0.0", "--port", "0"],
            ConfigError,
            "needs a token",
        ),
        (["--source", workspace / "no.mkv", "--replay", "--config", config], InputError, "no such"),
        (["--source", "rtsp://x/y", "--replay", "--config", config], ConfigError, "not a device"),
        (["--source", clip, "--config", config, "--session-type", "x"], ConfigError, "stream"),
    ]
    for args, error, text in cases:
        result = CliRunner().invoke(app, ["live", *map(str, args)])
        assert isinstance(result.exception, error), (args, result.exception, result.output)
        assert text in result.exception.one_line()
