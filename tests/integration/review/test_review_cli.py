"""``framewise review`` as a process: prints the URL, opens the browser, serves, stops on Ctrl+C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from framewise.cli.review_commands import register
from framewise.core.errors import ConfigError, InputNotFoundError
from tests.integration.review.conftest import ReviewFiles

# The lead wires `register` into cli/main.py; this app holds only the review command.
CLI = (
    "import typer\n"
    "from framewise.cli.review_commands import register\n"
    "app = typer.Typer()\n"
    "@app.callback()\n"
    "def root() -> None: pass\n"
    "register(app)\n"
    "app()\n"
)
URL = re.compile(r"open (http://127\.0\.0\.1:\d+/)")


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    return app


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_url(process: subprocess.Popen[str]) -> tuple[str, list[str]]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        found = URL.search(line)
        if found:
            return found.group(1), lines
    pytest.fail(f"no URL printed: {lines}")


@pytest.mark.parametrize("no_browser", [False, True])
def test_review_command_serves_until_interrupted(
    tmp_path: Path, files: ReviewFiles, no_browser: bool
) -> None:
    opened = tmp_path / "opened.txt"
    fake_browser = tmp_path / "browser.py"
    fake_browser.write_text(
        f"import sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n", encoding="utf-8"
    )
    env = {**os.environ, "BROWSER": f"{sys.executable} {fake_browser} %s"}
    args = ["review", str(files.log), "--port", "0", "--threshold", "0.5"]
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, *args, *(["--no-browser"] if no_browser else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        # A test run started as a background job ignores SIGINT, and a child inherits that:
        # give the command the Ctrl+C a user's terminal would deliver.
        preexec_fn=_sigint_default,  # noqa: PLW1509 (only resets one signal before exec)
    )
    try:
        url, lines = _wait_for_url(process)
        assert any("remuxing (no re-encode) stream.mkv" in line for line in lines)
        with httpx.Client(base_url=url, timeout=10) as client:
            assert "framewise review" in client.get("/").text
            assert client.get("/api/meta").json()["threshold"] == 0.5
            assert client.post("/api/approve", json={"ids": ["evt_00001"]}).status_code == 200
        deadline = time.monotonic() + (1 if no_browser else 10)
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if no_browser:
            assert not opened.exists()
        else:
            assert opened.read_text(encoding="utf-8") == url
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "every change is already saved" in output
    event = files.event("evt_00001")
    assert event is not None and event["approved"] is True


def test_bad_input_raises_one_line_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(_cli(), ["review", str(tmp_path / "none.json"), "--no-browser"])
    assert isinstance(missing.exception, InputNotFoundError)
    assert missing.exception.exit_code == 3
    bad = runner.invoke(
        _cli(), ["review", str(tmp_path / "none.json"), "--threshold", "2", "--no-browser"]
    )
    assert isinstance(bad.exception, ConfigError)
    assert "threshold" in str(bad.exception)
