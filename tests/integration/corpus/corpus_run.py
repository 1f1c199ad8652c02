"""Run one corpus input through ``python -m framewise`` and judge the answer.

Every run has a deadline that would catch a hang; a refusal is a non-zero exit with exactly
one ``framewise: error:`` line on stderr that names the input and says why; an acceptance is
exit 0 with no error line and no traceback (warnings are allowed: a truncated file says so).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.cli.cli_run import ERROR_PREFIX, framewise, one_error

DEADLINE = 60.0
"""Seconds a command may take on one small corpus file; longer is a hang."""


@dataclass(frozen=True)
class Refusal:
    """What a refused input must produce: the exit code and words of the one line."""

    code: int
    says: str


def run(*args: str | Path, deadline: float = DEADLINE) -> subprocess.CompletedProcess[str]:
    """``framewise ARGS`` in a child process; a run past ``deadline`` fails the test as a hang."""
    try:
        return framewise(*args, timeout=deadline)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung: framewise {' '.join(map(str, args))} ran past {deadline:.0f} s")


def refused(done: subprocess.CompletedProcess[str], subject: str | Path, expect: Refusal) -> str:
    """Assert a refusal naming ``subject``; returns the error line (prefix removed)."""
    assert done.returncode == expect.code, f"exit {done.returncode}\n{done.stdout}{done.stderr}"
    line = one_error(done)
    assert str(subject) in line, line
    assert expect.says in line, line
    return line


def accepted(done: subprocess.CompletedProcess[str]) -> None:
    """Assert exit 0, no traceback and no error line (warnings may be there)."""
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    assert ERROR_PREFIX not in done.stderr, done.stderr
