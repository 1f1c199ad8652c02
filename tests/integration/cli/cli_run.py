"""Run ``framewise`` as a user does (``python -m framewise``) and check its one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ERROR_PREFIX = "framewise: error: "


def framewise(
    *args: str | Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
    prelude: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """The real entry point in a child process; ``prelude`` runs first (then ``run()``)."""
    command = [sys.executable, "-m", "framewise"]
    if prelude is not None:
        script = (
            f"import sys\n{prelude}\nfrom framewise.cli.main import run\n"
            "sys.argv = ['framewise', *sys.argv[1:]]\nrun()\n"
        )
        command = [sys.executable, "-c", script]
    return subprocess.run(
        [*command, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def one_error(done: subprocess.CompletedProcess[str]) -> str:
    """The single ``framewise: error:`` line on stderr (fails on tracebacks or Click's style)."""
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(ERROR_PREFIX), done.stderr
    assert "Usage:" not in done.stderr and "Error:" not in done.stderr, done.stderr
    return lines[0].removeprefix(ERROR_PREFIX)


def make_video(ffmpeg: str, path: Path, seconds: float = 1.0) -> Path:
    """A small test-pattern MP4 (10 fps, 64x48)."""
    subprocess.run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=duration={seconds}:size=64x48:rate=10",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )
    return path
